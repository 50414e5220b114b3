"""Hand-made news texts for the story tests: an original report, three copies of it (a new
headline, a paragraph dropped, a boilerplate line added; each from another outlet) and a
different story on the same topic. Written for these tests."""

from __future__ import annotations

from pathlib import Path

PARAGRAPHS = [
    "The regional water board approved a plan on Tuesday to build a desalination plant on the "
    "northern coast, the first of its kind in the province, after two summers of drought left "
    "reservoirs at a third of their usual level.",
    "Board chair Miriam Osei said the plant would supply forty million litres of drinking water "
    "a day once it opens in 2027, enough for about a quarter of the city's households during "
    "the driest months of the year.",
    "The project will cost 310 million dollars, two thirds of it paid by the national "
    "government under a climate adaptation fund, while the rest will come from a bond that the "
    "board plans to sell to local investors in the spring.",
    "Environmental groups welcomed the decision but warned that the brine returned to the sea "
    "must be diluted carefully, pointing to damage to seagrass beds near older plants along "
    "the southern coast where the outflow pipes were placed too close to shore.",
    "Engineers will spend the next six months testing currents at three candidate sites "
    "before the board chooses one, Osei said, adding that construction crews could break ground "
    "by the end of next year if the environmental review raises no objections.",
]
ORIGINAL = "\n\n".join(PARAGRAPHS)
SAME_TOPIC = "\n\n".join(
    [
        "The regional water board said on Thursday that household water bills would rise by "
        "eight per cent next year to pay for repairs to ageing pipes, which lose nearly a fifth "
        "of treated water to leaks before it reaches homes.",
        "Board chair Miriam Osei said the increase was the smallest the board could manage "
        "while keeping its repair programme on schedule, and that families on low incomes would "
        "be able to apply for a discount through their local council offices.",
        "Consumer groups criticised the rise, arguing that the board had put off maintenance "
        "for a decade while paying dividends to the province, and called for an independent "
        "audit of how the money raised from bills had been spent since 2015.",
        "The board will publish a list of the neighbourhoods where pipes will be replaced first "
        "in January, starting with districts where bursts have cut supplies most often over the "
        "past three winters.",
    ]
)
BOILERPLATE = "This story was originally published by the Coastal Wire news agency."


def md(folder: Path, name: str, title: str, body: str, **meta: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"title: {title!r}", *(f"{k}: {v!r}" for k, v in meta.items())]
    path = folder / f"{name}.md"
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body + "\n", encoding="utf-8")
    return path


def write_copies(folder: Path) -> dict[str, Path]:
    """The original and three hand-made copies, plus a different story on the same topic."""
    dropped = "\n\n".join(PARAGRAPHS[:3] + PARAGRAPHS[4:])
    return {
        "original": md(
            folder,
            "original",
            "Water board approves coastal desalination plant",
            ORIGINAL,
            source="Coastal Wire",
            date="2024-03-05",
            url="https://wire.example/desal",
        ),
        "headline": md(
            folder,
            "headline",
            "Drought-hit province to get its first desalination plant",
            ORIGINAL,
            source="The Verge",
            date="2024-03-06",
            url="https://verge.example/d",
        ),
        "dropped": md(
            folder,
            "dropped",
            "Desalination plant approved",
            dropped,
            source="Reuters",
            date="2024-03-06",
            url="https://reuters.example/d",
        ),
        "boilerplate": md(
            folder,
            "boilerplate",
            "Coast to get desalination plant",
            ORIGINAL + "\n\n" + BOILERPLATE,
            source="Daily Mail",
            date="2024-03-07",
            url="https://mail.example/d",
        ),
        "other": md(
            folder,
            "other",
            "Water bills to rise by eight per cent",
            SAME_TOPIC,
            source="Coastal Wire",
            date="2024-03-08",
            url="https://wire.example/bills",
        ),
    }
