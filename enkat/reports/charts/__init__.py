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
- stands beside words that say the same: a report's charts beside their tables (the
  figures are in the table), the samtalsunderlag with `describe_ors_srs` (alt text).
"""

from enkat.reports.charts._style import Format
from enkat.reports.charts.areas import DEFAULT_SCALE, AreaRatings, area_change_chart
from enkat.reports.charts.indicators import (
    IndicatorBar,
    ShareEstimate,
    indicator_chart,
)
from enkat.reports.charts.ors_srs import SessionScore, describe_ors_srs, ors_srs_chart
from enkat.reports.charts.payback import payback_chart
from enkat.reports.charts.trend import TrendSeries, trend_chart

__all__ = [
    "DEFAULT_SCALE",
    "AreaRatings",
    "Format",
    "IndicatorBar",
    "SessionScore",
    "ShareEstimate",
    "TrendSeries",
    "area_change_chart",
    "describe_ors_srs",
    "indicator_chart",
    "ors_srs_chart",
    "payback_chart",
    "trend_chart",
]
