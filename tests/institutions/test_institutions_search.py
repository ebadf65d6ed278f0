"""Directory search: names with typos, homophones, pinyin and initials; filters; nearest first; questions in
patients' words; and never an institution that is not in the list."""

from __future__ import annotations

import pytest

from institutions.answers import answer_question
from institutions.importer import SAMPLE_FILE, SAMPLE_LABEL, read_file
from institutions.search import (
    SAMPLE_KIOSK_LOCATION,
    Directory,
    DirectoryIndex,
    InstitutionQuery,
    QueryProblem,
    naive_search,
    parse_question,
)
from institutions.synthetic import generate


@pytest.fixture(scope="module")
def sample() -> DirectoryIndex:
    records, _ = read_file(SAMPLE_FILE)
    return DirectoryIndex(records, SAMPLE_LABEL, True)


def names(index: DirectoryIndex, query: InstitutionQuery) -> list[str]:
    return [m.record.name for m in index.search(query, SAMPLE_KIOSK_LOCATION).matches]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("安澜市第一人民医院", "安澜市第一人民医院"),  # exact
        ("市一医院", "安澜市第一人民医院"),  # short name
        ("安兰市第一人民医院", "安澜市第一人民医院"),  # homophone typo
        ("儿同医院", "安澜市儿童医院"),  # one wrong character
        ("ertongyiyuan", "安澜市儿童医院"),  # full pinyin
        ("alsetyy", "安澜市儿童医院"),  # pinyin initials
        ("安瀾市中醫院", "安澜市中医院"),  # 繁體
        ("同济堂", "同济堂药店（西山店）".replace("（", "(").replace("）", ")")),
    ],
)
def test_name_search_finds_the_institution_first(sample: DirectoryIndex, typed: str, expected: str) -> None:
    assert names(sample, InstitutionQuery(name=typed))[:1] == [expected]


def test_unknown_name_finds_nothing_rather_than_something_close(sample: DirectoryIndex) -> None:
    assert names(sample, InstitutionQuery(name="协和医院")) == []
    assert names(sample, InstitutionQuery(name="😀😀")) == []


def test_filters_hold_for_every_result(sample: DirectoryIndex) -> None:
    query = InstitutionQuery(types=("零售药店",), flags=("external_prescription", "open_24h"), limit=50)
    result = sample.search(query, SAMPLE_KIOSK_LOCATION)
    assert result.matches and result.total == len(result.matches)
    assert all(m.record.type == "零售药店" and m.record.external_prescription and m.record.open_24h
               for m in result.matches)
    everything = sample.search(InstitutionQuery(limit=100), None).matches
    expected = {m.record.code for m in everything
                if m.record.type == "零售药店" and m.record.external_prescription and m.record.open_24h}
    assert {m.record.code for m in result.matches} == expected
    districts = sample.search(InstitutionQuery(districts=("东湖区",), levels=("二级",), limit=50), None).matches
    assert districts and all(m.record.district == "东湖区" and m.record.level == "二级" for m in districts)


def test_nearest_first_with_distances(sample: DirectoryIndex) -> None:
    result = sample.search(InstitutionQuery(types=("零售药店",), near=True, limit=50), SAMPLE_KIOSK_LOCATION)
    distances = [m.distance_m for m in result.matches]
    assert all(d is not None for d in distances) and distances == sorted(distances)
    first = result.matches[0]
    assert first.record.code == "P9904008" and 50 < first.distance_m < 300 and first.distance_text().endswith("米")
    far = sample.search(InstitutionQuery(name="北岭县人民医院"), SAMPLE_KIOSK_LOCATION).matches[0]
    assert 15_000 < far.distance_m < 19_000 and "公里" in far.distance_text()


def test_another_origin_changes_the_order(sample: DirectoryIndex) -> None:
    north = (30.7411, 114.3203)  # beside the 北岭县 pharmacy
    result = sample.search(InstitutionQuery(types=("零售药店",), near=True), north)
    assert result.matches[0].record.district == "北岭县" and result.origin == north


@pytest.mark.parametrize(
    ("question", "check"),
    [
        ("附近哪家药店能刷医保", lambda q: q.types == ("零售药店",) and q.near and not q.name),
        ("哪些医院能异地直接结算", lambda q: q.types == ("医院",) and q.flags == ("cross_province",)),
        ("市一医院电话多少", lambda q: q.name == "市一医院"),
        ("东湖区有哪些社区医院", lambda q: q.districts == ("东湖区",) and q.types == ("社区卫生服务中心",)),
        ("晚上能买药的地方", lambda q: "open_24h" in q.flags and q.types == ("零售药店",)),
        ("三甲医院有哪些", lambda q: q.levels == ("三级",) and q.types == ("医院",)),
        ("北岭县医院在哪", lambda q: q.name == "北岭县医院" and not q.districts),
    ],
)
def test_questions_become_queries(sample: DirectoryIndex, question: str, check) -> None:  # type: ignore[no-untyped-def]
    assert check(parse_question(question, sample.districts).query), parse_question(question, sample.districts)


def test_the_three_issue_questions_are_answered_from_the_list(directory: Directory,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from institutions import answers

    monkeypatch.setattr(answers, "get_directory", lambda: directory)
    pharmacy = answer_question("附近哪家药店能刷医保")
    assert pharmacy.found and pharmacy.cards[0]["type"] == "零售药店" and "米" in pharmacy.text
    assert [c["distance_m"] for c in pharmacy.cards] == sorted(c["distance_m"] for c in pharmacy.cards)
    remote = answer_question("哪些医院能异地直接结算")
    assert remote.found and all("cross_province" in c["flags"] and c["type"] == "医院" for c in remote.cards)
    phone = answer_question("市一医院电话多少")
    assert phone.cards[0]["name"] == "安澜市第一人民医院" and phone.text.index("电话") < phone.text.index("地址")
    assert "0999-8000001" in phone.text and "示例" in phone.text
    # Every institution named in an answer is one of the list's records.
    listed = {r.name for r in read_file(SAMPLE_FILE)[0]}
    assert {c["name"] for a in (pharmacy, remote, phone) for c in a.cards} <= listed


def test_an_institution_not_in_the_list_is_never_described(directory: Directory,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from institutions import answers

    monkeypatch.setattr(answers, "get_directory", lambda: directory)
    answer = answer_question("协和医院电话是多少")
    assert not answer.found and answer.cards == [] and "没有找到“协和医院”" in answer.text
    assert "0999" not in answer.text
    nothing = answer_question("你好")
    assert not nothing.understood


def test_a_thing_at_an_institution_is_no_directory_question(directory: Directory,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from institutions import answers

    monkeypatch.setattr(answers, "get_directory", lambda: directory)
    for question in ("医院食堂几点开饭", "药店停车场在哪"):
        answer = answer_question(question)
        assert not answer.understood and answer.cards == []  # answered from the documents (or honestly not)
    # ...while a kind with a wish is still looked up
    assert answer_question("附近的大药店").found


def test_too_long_name_is_a_query_problem(directory: Directory) -> None:
    with pytest.raises(QueryProblem):
        directory.search(InstitutionQuery(name="医" * 100))


def test_indexed_search_agrees_with_the_naive_scan_on_ten_thousand() -> None:
    records = generate(10_000)
    index = DirectoryIndex(records, "generated", False)
    origin = SAMPLE_KIOSK_LOCATION
    for query in (InstitutionQuery(types=("零售药店",), flags=("external_prescription",), near=True, limit=5),
                  InstitutionQuery(districts=("东湖区",), flags=("cross_province",), near=True, limit=5)):
        fast = [m.record.code for m in index.search(query, origin).matches]
        slow = [r.code for _, _, r in naive_search(records, query, origin)]
        assert fast == slow
    named = records[1234].name
    found = index.search(InstitutionQuery(name=named, near=True), origin).matches
    assert found[0].record.code == records[1234].code


def test_words_guessed_as_a_name_that_still_ask_are_the_question(directory: Directory,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from institutions import answers

    monkeypatch.setattr(answers, "get_directory", lambda: directory)
    # "…几天之内要把证明交给医院": the words before 医院 ask something; the documents answer it, not the list
    answer = answer_question("急诊没带证件，家属要几天之内把身份证明交给医院？")
    assert not answer.understood and answer.cards == []
    # a name that asks nothing is still looked up (and said to be missing when the list lacks it)
    missing = answer_question("徐州市中心医院电话多少")
    assert missing.understood and not missing.found
