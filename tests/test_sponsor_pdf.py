"""The Alibaba briefing PDF, printed for real by WeasyPrint and read back with pypdf."""

from __future__ import annotations

import re

from conftest import normalise, pdf_text
from pypdf import PdfReader

# Facts of shared/sources/alibaba-briefing.txt, as they must read in the PDF (text, not only charts).
FACTS = [
    "Cloud Services and E-Commerce Platform Services partner", "January 2017", "12-year",
    "approximately $800 million", "Lenovo", "2008 Beijing Games", "OBS Cloud 3.0", "since 1964",
    "World Economic Forum in Davos on January 19, 2017", "90-minute meeting", "Jack Ma",
    "Thomas Bach", "Michael Payne", "Shankai Sports", "Toyota joined in March 2015",
    "Olympic Games on the Cloud", "Gangneung Olympic Park", "To the Greatness of Small",
    "BBDO China and Omnicom Group", "ET Sports Brain", "Content+ delivery platform",
    "3D Athlete Tracking Technology", "Intel", "Tmall", "Let Hope Shine, Brighter Together",
    "Cloud ME holographic technology", "Daniel Zhang", "Dong Dong virtual influencer",
    "DAMO Academy", "curling and speed skating", "22 subscriber broadcasters",
    "two-thirds of booked remote services (54 broadcasters)", "Over 11,000 hours",
    "15% increase from Tokyo", "21 sports across 14 venues", "To the Greatness of HER",
    "Alibaba Wonder Avenue", "Champs-Elysees", "Qwen", "Real-Time 360-degree Replay",
    "15-20 seconds", "Olympic AI Assistant", "olympics.com", "More than 5,000 short-form pieces",
    "YOUR EPIC VIBE", "Ogilvy Shanghai", "100+ countries", "Intelligent Pin Trading Station",
    "Olympic Village Plaza", "Tony Parker", "Rio 2016 quarterfinals", "four-time NBA Champion",
    "six-time NBA All-Star", "Same Player, New Game", "McCann Germany", "Simona Galik Moore",
    "pickleball", "Elias Schwarzler", "Mountain Biking, Austria", "Athlete365 Business Accelerator",
    "OBS Cloud 4.0", "Energy Expert", "40+ competition venues", "LA Memorial Coliseum",
    "SoFi Stadium", "announced May 2025", "first Games since 1948", "38,000 capacity",
    "New York, Columbus, Nashville, St. Louis, San Jose, San Diego", "September 2025",
    "John Moolenaar", "Andrew Garbarino", "Kristi Noem", "classified briefing",
    "France's sovereign jurisdiction", "LA28 Founding Partner in October 2025",
    "Eddie Yongming Wu", "September 2023", "Joseph Tsai", "Brooklyn Nets", "New York Liberty",
    "Toby Xu", "Chief Financial Officer", "Selina Yuan", "President of Alibaba Cloud International",
    "Publicis Media", "Yiannis Exarchos", "approximately 6% in 2020 to 4%", "~31%", "~25%",
    "~12%", "~4%", "nearly four times smaller", "JD.com", "Temu (PDD Holdings)", "Shein",
    "English Premier League", "Super Bowl advertising (Temu in 2024-2025)",
    "No e-commerce competitor holds any Olympic partnership", "Small business empowerment",
    "RMB 996.3 billion (~$137.3 billion)", "up 7.4% YoY", "RMB 236.5 billion", "up 7% YoY",
    "RMB 62.51", "up 11% YoY", "RMB 142.3 billion", "~$300 billion", "February 2026",
    "BABA (NYSE), 9988 (HKEX)", "502.5", "138.4", "up 32% YoY, fastest-growing segment",
    "128.2", "109.8", "77.0", "AliExpress, Lazada, Trendyol", "Cainiao Smart Logistics",
    "Local Services Group", "six independent business units", "1+6+N", "approximately 25%",
    "2 billion consumers", "CNY18.2 billion ($2.8 billion)", "April 2021", "first quarterly loss",
    "Ant Group IPO in 2020", "chip exports", "Synergy Research Group", "Canalys",
    "alizila.com", "SportsPro Media, Marketing Interactive, Campaign Asia, SVG Europe, Inside the Games",
    "Bloomberg, Financial Times, Japan Times, Reuters",
]


def test_every_fact_of_the_source_is_text_in_the_pdf(shipped):
    text = normalise(" ".join(pdf_text(shipped / "alibaba.pdf")))
    missing = [fact for fact in FACTS if normalise(fact) not in text]
    assert not missing


def test_structure_cover_glance_contents(shipped):
    pages = pdf_text(shipped / "alibaba.pdf")
    assert "Alibaba" in pages[0] and "E-Commerce Platform & Cloud Services" in pages[0]
    assert "CONFIDENTIAL" in pages[0].upper() and "28 November 2026" in pages[0]
    assert "At a glance" in pages[1] and "Critical LA28 consideration" in pages[1]
    assert "RMB 996.3 billion" in pages[1]
    assert pages[2].startswith("ALIBABA") or "Contents" in pages[2]


def test_contents_numbers_are_the_real_start_pages(shipped):
    reader = PdfReader(str(shipped / "alibaba.pdf"))
    contents = reader.pages[2].extract_text()
    dests = reader.named_destinations
    checked = 0
    for annot in reader.pages[2].get("/Annots", []):
        annot = annot.get_object()
        name = str(annot.get("/Dest", ""))
        if not name:
            continue
        real = reader.get_destination_page_number(dests[name]) + 1
        title = {"alibaba--at-a-glance": "At a glance", "alibaba--sources": "Sources"}.get(name)
        if title is None:
            number = name.split("--s")[1].replace("-", ".")
            line = next(t for t in contents.splitlines() if re.match(rf"^{re.escape(number)}\s", t))
        else:
            line = next(t for t in contents.splitlines() if title in t)
        assert line.rstrip().endswith(f" {real}"), (line, real)
        checked += 1
    assert checked >= 20


def test_footer_numbers_every_page_but_the_cover(shipped):
    pages = pdf_text(shipped / "alibaba.pdf")
    assert "Page" not in pages[0]
    for i, text in enumerate(pages[1:], start=2):
        assert f"Page {i} of {len(pages)}" in text


def test_bookmarks_nest_sections_and_subsections(shipped):
    reader = PdfReader(str(shipped / "alibaba.pdf"))
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles[0] == "At a glance" and titles[-1] == "Sources"
    assert "1  Olympic history & marketing presence" in titles
    i = next(k for k, item in enumerate(outline) if not isinstance(item, list) and item.title.startswith("1  "))
    children = outline[i + 1]
    assert [c.title for c in children][:2] == ["1.1  Partnership origins", "1.2  Games activations by edition"]
    page = reader.get_destination_page_number(children[0])
    assert "Partnership origins" in reader.pages[page].extract_text()


def test_metadata(shipped):
    reader = PdfReader(str(shipped / "alibaba.pdf"))
    meta = reader.metadata
    assert meta.title == "Alibaba — sponsor briefing"
    assert meta.author == "Host City · Kindred Subjects"
    assert "E-Commerce Platform & Cloud Services" in meta.subject
    assert "Cloud Services" in meta["/Keywords"]
    assert meta["/CreationDate"] == "D:20261128000000Z"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def _fonts(reader):
    found = {}
    for page in reader.pages:
        resources = page.get("/Resources", {})
        stack = [resources]
        while stack:
            res = stack.pop().get_object()
            for font in (res.get("/Font") or {}).values():
                font = font.get_object()
                for desc_font in font.get("/DescendantFonts", [font]):
                    desc_font = desc_font.get_object()
                    desc = desc_font.get("/FontDescriptor")
                    if desc is not None:
                        desc = desc.get_object()
                        embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                        found[str(desc_font["/BaseFont"])] = embedded
            for xobj in (res.get("/XObject") or {}).values():
                xobj = xobj.get_object()
                if "/Resources" in xobj:
                    stack.append(xobj["/Resources"])
    return found


def test_fonts_are_shipped_embedded_and_subset(shipped):
    fonts = _fonts(PdfReader(str(shipped / "alibaba.pdf")))
    assert fonts and all(fonts.values()), fonts
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in fonts), fonts
    families = {name.split("+", 1)[1] for name in fonts}
    assert {"Noto-Serif", "Noto-Sans", "Noto-Sans-Bold"} <= families  # only the shipped fonts
    assert all(f.startswith("Noto-") for f in families)


def test_chart_labels_are_text_in_the_document_font(shipped):
    text = " ".join(pdf_text(shipped / "alibaba.pdf"))
    # labels drawn inside the SVG charts come out as text
    assert "Taobao and Tmall Group" in text and "502.5" in text
    assert "Microsoft Azure" in text and "31%" in text


def test_page_sizes(shipped, shipped_letter):
    a4 = PdfReader(str(shipped / "alibaba.pdf")).pages[1].mediabox
    letter = PdfReader(str(shipped_letter / "alibaba.pdf")).pages[1].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    letter_text = normalise(" ".join(pdf_text(shipped_letter / "alibaba.pdf")))
    assert normalise("RMB 996.3 billion (~$137.3 billion)") in letter_text


def test_no_embedded_files_or_javascript(shipped):
    raw = (shipped / "alibaba.pdf").read_bytes()
    assert b"/EmbeddedFiles" not in raw and b"/JavaScript" not in raw


def test_source_urls_are_clickable(shipped):
    reader = PdfReader(str(shipped / "alibaba.pdf"))
    uris = {str(a.get_object()["/A"]["/URI"]) for p in reader.pages for a in p.get("/Annots", [])
            if "/A" in a.get_object() and "/URI" in a.get_object()["/A"]}
    assert "https://olympics.com/ioc/partners/alibaba" in uris
