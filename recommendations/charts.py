"""Horizontal bar charts drawn on the server as inline SVG (no script, no external library).

The view passes (label, value, url) rows; this module works out the geometry and the template
``recommendations/_bar_chart.html`` draws it. Every bar is a link to the filtered list and
carries its number as text, so the chart reads without colour or a mouse.
"""

from dataclasses import dataclass, field

WIDTH = 640
LABEL_WIDTH = 190  # room for 区政务服务和数据管理局 at 14px
VALUE_ROOM = 56
ROW_HEIGHT = 30
BAR_HEIGHT = 18
PADDING = 6


@dataclass
class Bar:
    label: str
    value: int
    url: str
    css: str
    y: int
    width: float
    text_y: int
    value_x: float


@dataclass
class BarChart:
    chart_id: str
    title: str
    bars: list[Bar] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    bar_x: int = LABEL_WIDTH
    label_x: int = LABEL_WIDTH - 8
    bar_height: int = BAR_HEIGHT
    total: int = 0

    @property
    def empty(self) -> bool:
        return not self.bars


def bar_chart(chart_id: str, title: str, rows, css: str = "bar") -> BarChart:
    """rows: iterable of (label, value, url) or (label, value, url, css_class)."""
    rows = list(rows)
    largest = max((row[1] for row in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    chart = BarChart(chart_id=chart_id, title=title)
    for index, row in enumerate(rows):
        label, value, url = row[:3]
        y = PADDING + index * ROW_HEIGHT
        width = round(room * value / largest, 1) if value else 0
        chart.bars.append(
            Bar(
                label=label,
                value=value,
                url=url,
                css=row[3] if len(row) > 3 else css,
                y=y,
                width=max(width, 2 if value else 0),
                text_y=y + BAR_HEIGHT - 4,
                value_x=LABEL_WIDTH + max(width, 2) + 6,
            )
        )
        chart.total += value
    chart.height = PADDING * 2 + len(rows) * ROW_HEIGHT
    return chart
