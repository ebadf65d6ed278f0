"""Command line of the knowledge base: ``yibao kb build``, ``yibao kb stats``, ``yibao search``."""

from __future__ import annotations

import getpass
import json
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from tqdm import tqdm

from yibao.settings import get_settings

kb_app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console()


def _actor(by: str | None) -> str:
    return by or f"cli:{getpass.getuser()}"


ByOption = Annotated[str | None, typer.Option("--by", help="记录在版本里的操作人（默认：cli:系统用户名）")]


def _print_version(version: Any, verb: str) -> None:  # a knowledge.documents.Version
    changes = version.info["changes"]
    parts = [f"{k} {'、'.join(v)}" for k, v in (("新增", changes["added"]), ("移除", changes["removed"]),
                                                 ("更新", changes["changed"])) if v]
    console.print(f"{verb}：版本 v{version.number}，{len(version.info['documents'])} 篇文档，"
                  f"{version.info['passages']} 段。{'；'.join(parts)}", markup=False, highlight=False)
    console.print("运行中的动作服务和 kiosk API 会在几秒内自动切换到新版本，无需重启。")


@kb_app.command("build", help="清洗、切分并索引政策文档，生成新版本（语料未变则跳过）")
def build(force: bool = typer.Option(False, "--force", help="忽略缓存，全部重建"), by: ByOption = None) -> None:
    from knowledge.documents import publish

    started = time.perf_counter()
    version = publish(actor=_actor(by), action="重建", force=force, progress=lambda it, **kw: tqdm(it, **kw))
    if version is None:
        console.print(f"知识库已是最新（未重新向量化）→ {get_settings().index_dir}")
    else:
        _print_version(version, f"知识库已构建（用时 {time.perf_counter() - started:.1f} 秒）")


@kb_app.command("add", help="加入或替换一份政策文档：PDF、DOCX、HTML、XLSX、CSV 或 TXT")
def add(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="文件路径")],
    name: Annotated[str | None, typer.Option("--name", help="文档编号（默认取文件名）")] = None,
    by: ByOption = None,
) -> None:
    from knowledge.documents import add_document
    from knowledge.formats import DocumentRefused

    try:
        version = add_document(file, _actor(by), name=(name + file.suffix) if name else None,
                               progress=lambda it, **kw: tqdm(it, **kw))
    except DocumentRefused as exc:
        console.print(f"[red]没有加入：{exc}[/red]")
        raise typer.Exit(1) from exc
    _print_version(version, "已加入")


@kb_app.command("remove", help="停用一份文档（编号、编号开头或标题），它的段落不再被检索到")
def remove(name: Annotated[str, typer.Argument(help="文档编号，例如 003 或完整编号")], by: ByOption = None) -> None:
    from knowledge.documents import remove_document
    from knowledge.formats import DocumentRefused

    try:
        version = remove_document(name, _actor(by))
    except DocumentRefused as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    _print_version(version, "已移除")


@kb_app.command("versions", help="知识库的各个版本：文档、段落数、与上一版相比的变化")
def versions(as_json: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    from knowledge.documents import list_versions

    found = list_versions()
    if as_json:
        typer.echo(json.dumps([{"number": v.number, "current": v.current, **{k: v.info[k] for k in (
            "created_at", "actor", "action", "documents", "passages", "changes")}} for v in found],
            ensure_ascii=False, indent=2))
        return
    if not found:
        console.print("还没有版本：运行 `yibao kb build`。")
        return
    table = Table(title="知识库版本（* 为当前版本）")
    for col in ("版本", "时间", "操作人", "操作", "文档", "段落", "变化"):
        table.add_column(col, overflow="fold")
    for v in found:
        c = v.info["changes"]
        change = "；".join(f"{k} {'、'.join(x)}" for k, x in (("+", c["added"]), ("-", c["removed"]),
                                                              ("~", c["changed"])) if x)
        table.add_row(f"{'*' if v.current else ''}v{v.number}", v.info["created_at"], v.info["actor"],
                      v.info["action"], str(len(v.info["documents"])), str(v.info["passages"]), change or "—")
    Console(markup=False).print(table)


@kb_app.command("rollback", help="切回以前的一个版本，例如：yibao kb rollback 3")
def rollback(
    number: Annotated[int, typer.Argument(help="版本号（见 yibao kb versions）")], by: ByOption = None
) -> None:
    from knowledge.documents import rollback as do_rollback
    from knowledge.formats import DocumentRefused

    try:
        version = do_rollback(number, _actor(by))
    except DocumentRefused as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"已切回版本 v{version.number}（{len(version.info['documents'])} 篇文档，"
                  f"{version.info['passages']} 段）；运行中的服务会自动切换。")


@kb_app.command("stats", help="知识库概况：文档、段落、去重、主题、索引大小")
def stats() -> None:
    from knowledge.index import read_manifest
    from knowledge.retrieve import IndexMissing, KnowledgeBase

    index_dir = get_settings().index_dir
    try:
        kb = KnowledgeBase(index_dir)
    except IndexMissing as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    manifest = read_manifest(index_dir)
    table = Table(title="政策文档")
    for col in ("doc_id", "标题", "章节数"):
        table.add_column(col)
    for doc_id, d in manifest.get("documents", {}).items():
        table.add_row(doc_id, d["title"], str(d["sections"]))
    console.print(table)
    topics = Counter(t for i in range(len(kb)) for t in kb._topics[i])
    size = sum(f.stat().st_size for f in index_dir.iterdir() if f.is_file())
    console.print(f"段落 {len(kb)}（合并重复 {manifest.get('merged_duplicates', 0)} 处）  "
                  f"检索单元 {manifest.get('units', '-')}  "
                  f"模型 {manifest.get('model_name')}  "
                  f"索引 {size / 1024:.0f} KiB  构建于 {manifest.get('built_at')}")
    console.print("主题：" + "  ".join(f"{t} {n}" for t, n in topics.most_common()))


def search(
    query: str = typer.Argument(None, help="问题，例如：异地就医备案需要什么材料"),
    k: int = typer.Option(3, "-k", help="返回条数"),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid | bm25 | dense"),
    topic: list[str] = typer.Option(None, "--topic", help="偏好的主题（可多次）"),  # noqa: B008 - typer's idiom
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    eval_file: Path = typer.Option(  # noqa: B008 - typer's idiom
        None, "--eval", exists=True, dir_okay=False, help="评测集 JSONL：打印命中率"
    ),
) -> None:
    from knowledge.retrieve import MODES, IndexMissing, get_knowledge_base

    if mode not in MODES:
        console.print(f"[red]--mode 只能是 {' / '.join(MODES)}[/red]")
        raise typer.Exit(2)
    try:
        kb = get_knowledge_base()
    except IndexMissing as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    if eval_file is not None:
        _print_eval(kb, eval_file)
        return
    if not query or not query.strip():
        console.print("[red]请输入要检索的问题[/red]")
        raise typer.Exit(2)
    hits = kb.search(query, k=k, topics=topic or None, mode=mode)
    if as_json:
        typer.echo(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=2))
        return
    threshold = get_settings().answer_threshold
    if not hits or hits[0].confidence < threshold:
        console.print(f"[yellow]没有把握回答这个问题。{get_settings().human_help}[/yellow]")
    for rank, h in enumerate(hits, 1):
        console.print(f"[bold]{rank}. {h.doc_title} › {h.section}[/bold]  "
                      f"(置信度 {h.confidence:.2f}, 分数 {h.score:.4f}, {h.passage_id}, 主题 {','.join(h.topics)})")
        console.print(h.text, markup=False, highlight=False)


def _print_eval(kb, eval_file: Path) -> None:
    from knowledge.evaluate import evaluate, load_questions

    questions = load_questions(eval_file)
    results = evaluate(kb, questions)
    table = Table(title=f"检索命中率（{len(questions)} 题，{eval_file.name}）")
    for col in ("retriever", "top-1", "top-3", "top-3 misses"):
        table.add_column(col)
    for r in results:
        table.add_row(r.mode, f"{r.rate(r.top1):.1%}", f"{r.rate(r.top3):.1%}", " ".join(r.misses) or "-")
    console.print(table)
