"""Command line of the knowledge base: ``yibao kb build``, ``yibao kb stats``, ``yibao search``."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from tqdm import tqdm

from yibao.settings import get_settings

kb_app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console()


@kb_app.command("build", help="清洗、切分并索引 knowledge/corpus/raw/ 下的政策文档（语料未变则跳过）")
def build(force: bool = typer.Option(False, "--force", help="忽略缓存，全部重建")) -> None:
    from knowledge.index import build as build_index

    report = build_index(force=force, progress=lambda it, **kw: tqdm(it, **kw))
    if report.up_to_date:
        console.print(f"知识库已是最新：{report.documents} 篇文档，{report.passages} 段（未重新向量化）")
    else:
        console.print(
            f"知识库已构建：{report.documents} 篇文档，{report.passages} 段，新向量化 {report.embedded} 段，"
            f"用时 {report.seconds:.1f} 秒 → {get_settings().index_dir}"
        )


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
