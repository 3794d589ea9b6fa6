"""The shipped data (data/): it builds, and every fact of its source document is text in the PDF.

Everything else about the sponsor PDF is tested on fictional fixtures (test_sponsor_pdf.py), so
an editorial update to data/ only touches this file's list of facts.
"""

from __future__ import annotations

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
    "access to U.S. infrastructure for the 2028 Games", "John Moolenaar", "Andrew Garbarino",
    "Kristi Noem", "classified briefing",
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


def test_the_book_and_every_edition_build(shipped):
    for name in ("briefing-book.pdf", "editions"):
        assert (shipped / name).exists(), name
    book = normalise(" ".join(pdf_text(shipped / "briefing-book.pdf")))
    assert normalise("RMB 996.3 billion (~$137.3 billion)") in book


def test_chart_labels_are_text_in_the_document_font(shipped):
    text = " ".join(pdf_text(shipped / "alibaba.pdf"))
    # labels drawn inside the SVG charts come out as text
    assert "Taobao and Tmall Group" in text and "502.5" in text


def test_source_urls_are_clickable(shipped):
    reader = PdfReader(str(shipped / "alibaba.pdf"))
    uris = {str(a.get_object()["/A"]["/URI"]) for p in reader.pages for a in p.get("/Annots", [])
            if "/A" in a.get_object() and "/URI" in a.get_object()["/A"]}
    assert "https://olympics.com/ioc/partners/alibaba" in uris
