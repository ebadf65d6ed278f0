"""Policy documents made by the tests themselves, one per format, each with a statement only it contains
(invented place names, so no shipped document can answer it): a PDF printed by Debian's chromium, a DOCX
written with python-docx, an HTML page wrapped in navigation and footer boilerplate, an XLSX table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@dataclass(frozen=True)
class Fixture:
    path: Path
    question: str  # a question only this document answers
    fact: str  # words the answer must contain
    boilerplate: tuple[str, ...] = ()  # text of the page chrome that must not be indexed


PDF_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>住院押金减免办法</title>
<style>body { font-family: 'Noto Sans CJK SC', sans-serif; font-size: 14px; }
td, th { border: 1px solid #333; padding: 4px; }
table { border-collapse: collapse; }</style></head><body>
<h1>住院押金减免办法</h1>
<p>第一条 为方便参保患者就医，参保人员在本院住院时，凭有效医保凭证可以申请减免住院押金，具体按照医院财务科的规定执行。
本办法适用于在本院办理入院手续的职工医保和居民医保参保人员。</p>
<p>第二条 凤凰岭院区在门诊大楼二层另设押金减免窗口，周一至周五上午八点至下午五点办理。</p>
<p>押金减免标准</p>
<table><tr><th>参保类型</th><th>减免比例</th></tr><tr><td>职工医保</td><td>全部减免</td></tr>
<tr><td>居民医保</td><td>减免一半</td></tr></table></body></html>"""

HTML_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>关于琉璃河镇门诊慢特病申请点的通知 - 某某市医疗保障局门户网站</title></head><body>
<header class="site-header"><a href="/">网站首页</a> <a href="/gk">政务公开</a> <a href="/bs">办事服务</a></header>
<nav class="main-nav"><ul><li>机构概况</li><li>政策法规</li><li>互动交流</li></ul></nav>
<div class="breadcrumb">当前位置：首页 &gt; 通知公告</div>
<main><h1>关于琉璃河镇门诊慢特病申请点的通知</h1>
<p>各参保单位、参保人员：自本月起，琉璃河镇参保人员可以在<strong>镇卫生院一楼</strong>门诊慢特病申请点提交申请材料，
不必再到县医保中心办理。</p>
<p>申请时请携带身份证、医保凭证和近半年的病历资料。</p></main>
<aside class="sidebar">热点专题 | 医保电子凭证推广</aside>
<footer class="footer">版权所有：某某市医疗保障局 网站地图 联系我们 备案号 京ICP备000000号</footer>
</body></html>"""


def make_pdf(path: Path, browser: Any = None) -> Fixture:
    """An HTML notice printed to PDF by chromium (a real text layer, as a 医保办 would receive it); ``browser``:
    a running Playwright browser (one Playwright per test session), else one is started here."""
    if browser is None:
        # In a child process: the sync API refuses to start where another test's Playwright keeps a loop running.
        import subprocess
        import sys

        script = (
            "import sys\nfrom pathlib import Path\nfrom playwright.sync_api import sync_playwright\n"
            "from tests.document_fixtures import CHROMIUM, CHROMIUM_ARGS, _print\n"
            "with sync_playwright() as p:\n"
            "    own = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)\n"
            "    _print(own, Path(sys.argv[1]))\n    own.close()\n"
        )
        subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=300)
    else:
        _print(browser, path)
    return Fixture(path, "凤凰岭院区的押金减免窗口在哪里", "凤凰岭院区")


def _print(browser: Any, path: Path) -> None:
    page = browser.new_page()
    page.set_content(PDF_HTML)
    page.pdf(path=str(path), format="A4")
    page.close()


def make_docx(path: Path) -> Fixture:
    import docx

    document = docx.Document()
    document.core_properties.title = "异地就医备案补充说明"
    document.add_heading("异地就医备案补充说明", level=1)
    document.add_paragraph("一、备案渠道")
    document.add_paragraph("参保人员可以通过国家医保服务平台办理备案；青龙湾片区居民也可以到片区社区服务站请工作人员代办。")
    document.add_paragraph("表1 备案有效期")
    table = document.add_table(rows=3, cols=2)
    rows = [("备案类型", "有效期"), ("临时外出就医", "六个月"), ("异地长期居住", "长期有效")]
    for r, (kind, valid) in enumerate(rows):
        table.cell(r, 0).text, table.cell(r, 1).text = kind, valid
    document.save(str(path))
    return Fixture(path, "青龙湾片区居民异地就医备案可以找谁代办", "青龙湾")


def make_html(path: Path) -> Fixture:
    path.write_text(HTML_PAGE, encoding="utf-8")
    return Fixture(path, "琉璃河镇的人去哪里申请门诊慢特病", "琉璃河镇",
                   boilerplate=("网站地图", "政务公开", "机构概况", "备案号", "当前位置", "热点专题"))


def make_xlsx(path: Path) -> Fixture:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "药店补贴"
    sheet.append(["定点药店慢病配药补贴标准"])
    sheet.append(["药店", "补贴标准", "备注"])
    sheet.append(["翠屏山大药房", "每人每月三十元", "限门诊慢特病患者"])
    sheet.append(["金沙湾药房", "每人每月二十五元", None])
    workbook.save(path)
    return Fixture(path, "翠屏山大药房慢病配药每月补贴多少", "翠屏山大药房")


def make_scanned_pdf(path: Path) -> Path:
    """A page that is only a picture (what a scanner produces): no text layer at all."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    for y in range(200, 1500, 60):  # lines of "text" as pixels
        draw.rectangle([150, y, 1090, y + 18], fill="black")
    image.save(path, "PDF", resolution=150)
    return path
