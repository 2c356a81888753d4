"""Charts for reports and for the samtalsunderlag: plain data in, PNG or SVG bytes out.

Every chart
- is drawn on its own `matplotlib.figure.Figure` (never pyplot's global state) with
  settings applied inside the render only, so charts can be drawn in a web server;
- gives byte-identical output for the same data (no dates, no versions, fixed ids);
- uses DejaVu Sans, which ships with matplotlib, and keeps SVG text as text;
- has Swedish labels (arguments with Swedish defaults), decimal commas and Swedish
  month names whatever the server's locale;
- tells its series apart by fill, marker or line style as well as by colour, with a
  colour-blind-safe palette, so it reads in black and white;
- refuses empty data with a ValueError: a chart with nothing on it is never what a
  report wants, and the caller knows best what to say instead;
- has a `describe_*` twin that says the same in words (alt text).
"""

from enkat.reports.charts._style import Format
from enkat.reports.charts.areas import AreaChange, area_change_chart, describe_area_changes
from enkat.reports.charts.indicators import (
    IndicatorBar,
    ShareEstimate,
    describe_indicators,
    indicator_chart,
)
from enkat.reports.charts.ors_srs import SessionScore, describe_ors_srs, ors_srs_chart
from enkat.reports.charts.prepost import PrePost, describe_prepost, prepost_chart

__all__ = [
    "AreaChange",
    "Format",
    "IndicatorBar",
    "PrePost",
    "SessionScore",
    "ShareEstimate",
    "area_change_chart",
    "describe_area_changes",
    "describe_indicators",
    "describe_ors_srs",
    "describe_prepost",
    "indicator_chart",
    "ors_srs_chart",
    "prepost_chart",
]
