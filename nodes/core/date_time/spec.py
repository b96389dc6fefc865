"""Date & Time: current date, add/subtract, format, difference, extract part, round."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui

Unit = Literal[
    "milliseconds", "seconds", "minutes", "hours", "days", "weeks", "months", "quarters", "years"
]
RoundUnit = Literal["second", "minute", "hour", "day", "week", "month", "quarter", "year"]
Part = Literal[
    "year",
    "quarter",
    "month",
    "week",
    "day",
    "day_of_week",
    "day_of_year",
    "hour",
    "minute",
    "second",
    "millisecond",
    "timestamp",
    "timestamp_ms",
    "month_name",
    "weekday_name",
    "timezone",
    "offset_minutes",
]


def _default_units() -> list[Unit]:
    return ["days"]


DEFAULT_FIELDS = {
    "current_date": "currentDate",
    "add": "newDate",
    "subtract": "newDate",
    "format": "formattedDate",
    "difference": "timeDifference",
    "extract": "datePart",
    "round": "roundedDate",
}


class DateTimeParams(Params):
    """Parameters of the Date & Time node."""

    operation: Literal[
        "current_date", "add", "subtract", "format", "difference", "extract", "round"
    ] = Field(
        "current_date",
        description="What to do: get the current date, add to or subtract "
        "from a date, format a date, get the time between two dates, extract a part of a "
        "date, or round a date to a unit.",
        json_schema_extra=ui(
            labels={
                "current_date": "Get the current date",
                "add": "Add to a date",
                "subtract": "Subtract from a date",
                "format": "Format a date",
                "difference": "Time between dates",
                "extract": "Extract a part of a date",
                "round": "Round a date",
            }
        ),
    )
    date: Any = Field(
        None,
        description="The date to work on: ISO 8601 text, a Unix timestamp (seconds "
        "or milliseconds), common formats like '31 Jan 2024 13:45' or 'now'/'today'. "
        "Usually an expression such as '{{ $json.created_at }}'.",
        json_schema_extra=ui(
            show={"operation": ["add", "subtract", "format", "difference", "extract", "round"]}
        ),
    )
    end_date: Any = Field(
        None,
        description="difference: the second date; the result is end minus start ('date').",
        json_schema_extra=ui(show={"operation": ["difference"]}),
    )
    timezone: str = Field(
        "",
        description="IANA timezone (e.g. 'Europe/Berlin', 'UTC') for the output and for "
        "dates without an offset. Empty: the workflow's timezone.",
    )
    input_format: Literal["auto", "iso", "unix_s", "unix_ms", "custom"] = Field(
        "auto",
        description="How input dates are written: 'auto' detects ISO, Unix "
        "timestamps and common formats; 'custom' uses 'Custom input format'.",
        json_schema_extra=ui(
            show={"operation": ["add", "subtract", "format", "difference", "extract", "round"]}
        ),
    )
    custom_input_format: str = Field(
        "",
        description="strftime pattern of input dates, e.g. '%d.%m.%Y %H:%M' (input "
        "format 'custom').",
        json_schema_extra=ui(
            show={
                "operation": ["add", "subtract", "format", "difference", "extract", "round"],
                "input_format": ["custom"],
            }
        ),
    )
    day_first: bool = Field(
        False,
        description="auto input: read ambiguous dates like 01/02/2024 as 1 February "
        "(day first) instead of 2 January.",
        json_schema_extra=ui(
            show={
                "operation": ["add", "subtract", "format", "difference", "extract", "round"],
                "input_format": ["auto"],
            }
        ),
    )
    include_time: bool = Field(
        True,
        description="current_date: include the time of day (off: midnight today).",
        json_schema_extra=ui(show={"operation": ["current_date"]}),
    )
    duration: float = Field(
        1,
        description="add/subtract: how many units to add or subtract.",
        json_schema_extra=ui(show={"operation": ["add", "subtract"]}),
    )
    unit: Unit = Field(
        "days",
        description="add/subtract: the unit of 'Duration'.",
        json_schema_extra=ui(show={"operation": ["add", "subtract"]}),
    )
    format: Literal[
        "iso",
        "date",
        "time",
        "datetime",
        "rfc2822",
        "http",
        "unix_s",
        "unix_ms",
        "us",
        "eu",
        "long",
        "full",
        "custom",
    ] = Field(
        "iso",
        description="format: a preset (iso '2024-01-31T13:45:00+01:00', date "
        "'2024-01-31', time '13:45:00', datetime '2024-01-31 13:45:00', rfc2822, http, "
        "unix_s, unix_ms, us '01/31/2024', eu '31/01/2024', long 'January 31, 2024', full "
        "'Wednesday, January 31, 2024 1:45 PM') or 'custom'.",
        json_schema_extra=ui(show={"operation": ["format"]}),
    )
    custom_format: str = Field(
        "",
        description="format 'custom': a strftime pattern ('%Y-%m-%d') or Luxon-style "
        "tokens ('yyyy-MM-dd HH:mm', 'dd LLL yyyy', text in 'single quotes').",
        json_schema_extra=ui(show={"operation": ["format"], "format": ["custom"]}),
    )
    units: list[Unit] = Field(
        default_factory=_default_units,
        description="difference: units to express the "
        "time between the dates in, e.g. ['days'] or ['hours', 'minutes'] (larger units "
        "first; the last one keeps the fraction).",
        min_length=1,
        json_schema_extra=ui(show={"operation": ["difference"]}),
    )
    part: Part = Field(
        "year",
        description="extract: which part of the date to output.",
        json_schema_extra=ui(show={"operation": ["extract"]}),
    )
    round_mode: Literal["down", "up", "nearest", "end"] = Field(
        "down",
        description="round: 'down' to the start of the unit, 'up' to the start of "
        "the next one, to the 'nearest', or to the 'end' of the unit (last millisecond).",
        json_schema_extra=ui(show={"operation": ["round"]}),
    )
    round_unit: RoundUnit = Field(
        "day",
        description="round: the unit to round to.",
        json_schema_extra=ui(show={"operation": ["round"]}),
    )
    round_step: int = Field(
        1,
        description="round: for second/minute/hour, round to a multiple of this many "
        "units (e.g. 15 minutes).",
        ge=1,
        le=60,
        json_schema_extra=ui(show={"operation": ["round"]}),
    )
    output_field: str = Field(
        "",
        description="Field that receives the result. Empty: currentDate, newDate, "
        "formattedDate, timeDifference, datePart or roundedDate (by operation).",
        json_schema_extra=ui(expression=False),
    )


SPEC = NodeSpec(
    type="core.date_time",
    version=1,
    title="Date & Time",
    description="Get, add to, format, compare, extract from and round dates, timezone aware.",
    category="Data",
    icon="calendar-clock",
    params=DateTimeParams,
    run="nodes.core.date_time.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.dateTime", "moment"),
    tool=True,
)
