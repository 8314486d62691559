"""Read an admin change form the way a browser would submit it, so a test can change one field
and post everything else as the page showed it (inlines and their management forms included)."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or (not a.get("name") and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.data.setdefault(a["name"], []).append(a.get("value", "on"))
        elif tag == "select":
            self._select, self._options = a["name"], []
            self._multiple = "multiple" in a
            self.data.setdefault(self._select, [])
        elif tag == "option" and self._select:
            self._options.append(a.get("value", ""))
            if "selected" in a:
                self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[self._textarea] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            if not self.data[self._select] and self._options and not self._multiple:
                self.data[self._select] = [self._options[0]]  # what a browser posts
            if not self.data[self._select]:
                del self.data[self._select]
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data.removeprefix("\n")


def form_data(html: str, form_id: str) -> dict:
    """{name: value or [values]} of the form with this id, as the browser would post it."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return {k: v[0] if len(v) == 1 else v for k, v in reader.data.items()}
