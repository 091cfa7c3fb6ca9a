"""Pure file formats: data in, bytes out (or bytes in, data out). No Flask, no database."""


class FormatError(ValueError):
    """A file that cannot be read: ``reason`` says why as a code the caller puts in words;
    ``detail`` is what the underlying reader said, for logs."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
