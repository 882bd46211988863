"""Text and JSON rendering shared by the commands. Never prints a secret value."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..resolver.model import Resolution

HEADER_TEXT = {
    "authorization": "Authorization: Bearer",
    "x-api-key": "x-api-key",
    "x-goog-api-key": "x-goog-api-key",
    None: "—",
}
STATUS_MARK = {"used": "\u2713", "shadowed": "\u00b7", "rejected": "\u2717", "empty": "\u2205"}


def color_enabled(stream: object = None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _c(text: str, code: str, on: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if on else text


def dump_json(obj: object) -> None:
    import json

    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def safe_error(exc: BaseException) -> str:
    """One line for an unexpected error; any secret-looking text is masked."""
    from ..secret import mask

    text = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
    words = []
    for word in text.split():
        core = word.strip("'\",;()[]{}")
        if len(core) >= 20 and any(ch.isdigit() for ch in core) and " " not in core:
            word = word.replace(core, mask(core))
        words.append(word)
    return " ".join(words).splitlines()[0] if words else text


def explain_text(res: Resolution, global_warnings: list[str]) -> str:
    from ..secret import redact, url_secrets

    hidden = url_secrets(res.base_url)
    text = _explain_text(res, global_warnings)
    return redact(text, hidden) if hidden else text


def _explain_text(res: Resolution, global_warnings: list[str]) -> str:
    on = color_enabled()
    lines = []
    title = f"{res.provider} \u2014 {res.name}"
    if res.active:
        title += "  (active provider)"
    lines.append(_c(title, "1", on))
    lines.append(f"  endpoint    {res.base_url or '(none)'}  [{res.base_url_source}]")
    lines.append(f"  api mode    {res.api_mode}")
    header = HEADER_TEXT.get(res.auth_header, res.auth_header or "—")
    rule = f"  ({res.header_rule})" if res.header_rule else ""
    lines.append(f"  header      {header}{rule}")
    if res.credential and res.credential.secret:
        c = res.credential
        lines.append("  credential  " + _c(f"{c.secret.masked}", "32", on)
                     + f"  {c.secret.fingerprint}  from {c.source}"
                     + (f"  ({c.where})" if c.where else ""))
        if res.oauth:
            lines.append("              Anthropic OAuth token: sent with the OAuth betas "
                         "(Claude subscription billing rules apply)")
    else:
        lines.append("  credential  " + _c("none — Hermes has no usable key for this endpoint", "31", on))
    if res.candidates:
        lines.append("")
        lines.append("  candidates (in Hermes' order)")
        width = max(len(c.source) for c in res.candidates)
        for c in res.candidates:
            mark = STATUS_MARK.get(c.status, "?")
            masked = c.secret.masked if c.secret else "—"
            row = f"    {mark} {c.status:<8}  {c.source:<{width}}  {masked:<12}  {c.reason}"
            code = {"used": "32", "rejected": "31", "shadowed": "2", "empty": "2"}[c.status]
            lines.append(_c(row, code, on))
    warnings = [*global_warnings, *res.warnings]
    if warnings:
        lines.append("")
        lines.append("  warnings")
        for w in warnings:
            lines.append(_c(f"    ! {w}", "33", on))
    return "\n".join(lines) + "\n"


def list_text(rows: list[Resolution], global_warnings: list[str], *, show_all: bool) -> str:
    from ..secret import redact, url_secrets

    hidden = [s for r in rows for s in url_secrets(r.base_url)]
    text = _list_text(rows, global_warnings, show_all=show_all)
    return redact(text, hidden) if hidden else text


def _list_text(rows: list[Resolution], global_warnings: list[str], *, show_all: bool) -> str:
    on = color_enabled()
    out = []
    table = []
    for r in rows:
        configured = r.credential is not None
        if not (show_all or configured or r.active):
            continue
        mark = "*" if r.active else " "
        state = "\u2713" if configured else "\u2014"
        source = r.credential.source if r.credential else "not configured"
        masked = r.credential.secret.masked if r.credential and r.credential.secret else ""
        header = HEADER_TEXT.get(r.auth_header, r.auth_header or "—")
        table.append((mark, state, r.provider, source, masked, header, r.base_url or "", r))
    if not table:
        out.append("No provider has a usable credential. `hermes-accounts list --all` shows every "
                   "provider; `hermes-accounts explain PROVIDER` shows why.")
    else:
        w_id = max(len(t[2]) for t in table)
        w_src = max(len(t[3]) for t in table)
        w_mask = max(len(t[4]) for t in table)
        w_hdr = max(len(t[5]) for t in table)
        out.append(_c(f"  {'':1} {'provider':<{w_id}}  {'source':<{w_src}}  {'key':<{w_mask}}  "
                      f"{'header':<{w_hdr}}  endpoint", "1", on))
        for mark, state, pid, src, masked, hdr, url, r in table:
            row = f"{mark} {state} {pid:<{w_id}}  {src:<{w_src}}  {masked:<{w_mask}}  {hdr:<{w_hdr}}  {url}"
            if r.warnings and r.credential is not None:
                row += _c(f"  ({len(r.warnings)} warning{'s' if len(r.warnings) > 1 else ''})", "33", on)
            out.append(_c(row, "2", on) if r.credential is None else row)
    if global_warnings:
        out.append("")
        out.extend(_c(f"! {w}", "33", on) for w in global_warnings)
    hidden = sum(1 for r in rows if r.credential is None and not r.active)
    if not show_all and hidden:
        out.append(_c(f"({hidden} providers without a credential hidden; --all shows them)", "2", on))
    return "\n".join(out) + "\n"
