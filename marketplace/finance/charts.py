"""Charts as inline SVG built on the server: they render with no internet access and no script
(the CSP forbids inline scripts and CDNs). Pure functions; every label is escaped."""

from __future__ import annotations

from markupsafe import Markup, escape

from marketplace.city import rupiah

GREEN, GREEN_LIGHT, INK, MUTED, LINE, WARN = (
    "#1b7f4b",
    "#9fd3b5",
    "#1d2327",
    "#5f6b73",
    "#dfe4e8",
    "#b25d00",
)


def _short_rupiah(amount: int) -> str:
    """Compact axis labels: 1,2 T / 350 M / 12 jt / 5 rb."""
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    for size, suffix in ((10**12, "T"), (10**9, "M"), (10**6, "jt"), (10**3, "rb")):
        if value >= size:
            number = value / size
            text = f"{number:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{sign}{text} {suffix}"
    return f"{sign}{value}"


def cumulative_chart(
    rows: list[dict],
    key: str,
    target: int,
    title: str,
    labels: dict[str, str],
    until: str | None = None,
) -> Markup:
    """Bars of cumulative realisation per month with the yearly target (dashed) and the even
    monthly pace towards it (dotted). `rows` are the month rows of the spending report; months
    after `until` (YYYY-MM, e.g. the current period) have no bar yet."""
    width, height, left, right, top, bottom = 360, 220, 46, 8, 24, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [int(r.get(f"cumulative_{key}", 0)) for r in rows]
    peak = max([target, *values, 1])
    n = max(len(rows), 1)
    slot = plot_w / n
    bar_w = slot * 0.62

    def y(v: int) -> float:
        return top + plot_h - (max(v, 0) / peak) * plot_h

    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" data-chart="cumulative-{key}">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for frac in (0, 0.5, 1):
        gy = top + plot_h - frac * plot_h
        parts.append(
            f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" stroke="{LINE}"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{gy + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="{MUTED}">{escape(_short_rupiah(int(peak * frac)))}</text>'
        )
    for i, (row, value) in enumerate(zip(rows, values)):
        x = left + i * slot + (slot - bar_w) / 2
        if not (until and str(row.get("period", "")) > until):
            parts.append(
                f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" '
                f'height="{top + plot_h - y(value):.1f}" fill="{GREEN}">'
                f"<title>{escape(row.get('label', ''))}: {escape(rupiah(value))}</title></rect>"
            )
        month = str(row.get("period", row.get("label", "")))[-2:]
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 14}" font-size="10" '
            f'text-anchor="middle" fill="{MUTED}">{escape(month)}</text>'
        )
    if target > 0:
        ty = y(target)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" stroke="{WARN}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        pace = " ".join(
            f"{left + (i + 1) * slot:.1f},{y(target * (i + 1) // n):.1f}" for i in range(n)
        )
        parts.append(
            f'<polyline points="{left:.1f},{y(0):.1f} {pace}" fill="none" stroke="{WARN}" '
            f'stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
    parts.append(
        f'<text x="{left}" y="14" font-size="11" fill="{INK}">'
        f'<tspan fill="{GREEN}">■</tspan> {escape(labels.get("realised", ""))}'
        + (
            f' <tspan fill="{WARN}">- -</tspan> {escape(labels.get("target", ""))}'
            if target > 0
            else ""
        )
        + "</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def opd_bars(rows: list[dict], title: str, labels: dict[str, str], limit: int = 15) -> Markup:
    """Horizontal bars of realisation per OPD: total, with its UMK part darker."""
    rows = [r for r in rows if r.get("total", 0) > 0 or r.get("target_umk", 0) > 0][:limit]
    width, bar_h, gap, label_w, top = 360, 16, 22, 120, 22
    height = top + max(len(rows), 1) * (bar_h + gap) + 4
    peak = max(
        [1, *(int(r.get("total", 0)) for r in rows), *(int(r.get("target_umk", 0)) for r in rows)]
    )
    plot_w = width - label_w - 60
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" data-chart="opd-bars">'
        ),
        f"<title>{escape(title)}</title>",
        (
            f'<text x="0" y="14" font-size="11" fill="{INK}"><tspan fill="{GREEN_LIGHT}">■</tspan> '
            f'{escape(labels.get("total", ""))} <tspan fill="{GREEN}">■</tspan> {escape(labels.get("umk", ""))}'
            f' <tspan fill="{WARN}">|</tspan> {escape(labels.get("target", ""))}</text>'
        ),
    ]
    for i, row in enumerate(rows):
        y = top + i * (bar_h + gap)
        name = str(row.get("opd_code") or row.get("label") or "-")
        total, umk = max(int(row.get("total", 0)), 0), max(int(row.get("umk", 0)), 0)
        tw, uw = plot_w * total / peak, plot_w * umk / peak
        parts.append(
            f'<text x="0" y="{y + bar_h - 3}" font-size="11" fill="{INK}">{escape(name[:18])}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{tw:.1f}" height="{bar_h}" fill="{GREEN_LIGHT}">'
            f"<title>{escape(row.get('label', name))}: {escape(rupiah(total))}</title></rect>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{uw:.1f}" height="{bar_h}" fill="{GREEN}"/>'
        )
        target = int(row.get("target_umk", 0))
        if target > 0:
            tx = label_w + plot_w * target / peak
            parts.append(
                f'<line x1="{tx:.1f}" y1="{y - 3}" x2="{tx:.1f}" y2="{y + bar_h + 3}" '
                f'stroke="{WARN}" stroke-width="2"/>'
            )
        parts.append(
            f'<text x="{label_w + tw + 4:.1f}" y="{y + bar_h - 3}" font-size="10" '
            f'fill="{MUTED}">{escape(_short_rupiah(total))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
