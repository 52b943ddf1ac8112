"""What one suite run found: one row per expectation, and the verdict of the suite.

The verdict follows the severities: any failed ERROR expectation fails the suite with
severity ERROR (a blocking check: nothing downstream runs, nothing is published); otherwise
any failed WARN expectation fails it with severity WARN (reported, still published).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assets.quality.samples import sample_text


@dataclass
class ExpectationOutcome:
    expectation: str  # GX type, or `unexpected_rows: <name>` for a query rule
    column: str
    severity: str
    success: bool
    unexpected_count: int | None = None
    element_count: int | None = None
    sample: list = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    why: str = ""
    error: str | None = None

    @property
    def reason(self) -> str:
        if self.error:
            return self.error
        counted = f"{self.unexpected_count} of {self.element_count} rows"
        if self.unexpected_count is None:
            counted = "failed"
        elif self.element_count is None:
            counted = f"{self.unexpected_count} rows"
        return f"{self.why or self.expectation}: {counted}"


@dataclass
class SuiteOutcome:
    suite: str
    table: str
    rows: int
    expectations: list[ExpectationOutcome]
    gx_seconds: float
    fetch_seconds: float
    has_error_expectations: bool

    def failed(self, severity: str | None = None) -> list[ExpectationOutcome]:
        return [
            e
            for e in self.expectations
            if not e.success and (severity is None or e.severity == severity)
        ]

    @property
    def passed(self) -> bool:
        return not self.failed()

    @property
    def severity(self) -> str:
        if self.failed("ERROR") or (self.passed and self.has_error_expectations):
            return "ERROR"
        return "WARN"

    def summary(self) -> str:
        """One line per failed expectation: table, column, reason, files and a sample."""
        lines = []
        for e in sorted(self.failed(), key=lambda e: e.severity != "ERROR"):
            text = f"[{e.severity}] {self.table} column {e.column}: {e.reason}"
            if e.files:
                text += f"; file(s) {', '.join(e.files)}"
            if e.sample:
                text += f"; sample {sample_text(e.sample)}"
            lines.append(text)
        return "\n".join(lines) if lines else f"{self.table}: all expectations met"
