"""A page opened from a file in Chromium, cut off from everything else: every request but
the page's own is blocked and recorded, and what it logged, asked for and tried to pop up
is kept for the tests to look at."""

from __future__ import annotations

from pathlib import Path


class OfflinePage:
    """``html`` written to ``path`` and opened. With ``enforce_csp`` false (the default) the
    page's Content-Security-Policy is bypassed, so that a test shows the escaping alone is
    enough; the policy is then a second line of defence."""

    def __init__(self, browser, path: Path, html: str, *, viewport: dict, enforce_csp: bool = False,
                 timeout: float | None = None):
        self.path = path
        self.path.write_text(html, encoding="utf-8")
        self.url = self.path.as_uri()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport=viewport, bypass_csp=not enforce_csp)
        self.context.route("**/*", self._route)
        self.context.add_init_script(
            "window.__violations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        self.page = self.context.new_page()
        if timeout is not None:
            self.page.set_default_timeout(timeout * 1000)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url, wait_until="load")

    def _route(self, route):
        if route.request.url == self.url:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, code: str, arg=None):
        return self.page.evaluate(code, arg)

    def close(self) -> None:
        self.context.close()
