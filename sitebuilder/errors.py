"""The one error the builder raises: what is wrong, in which file, on which line."""


class BuildError(Exception):
    """One or more problems in the sources; the build stops and ``dist/`` is left as it was."""

    def __init__(self, problems: list["Problem"]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class Problem:
    """A problem located in a source file (``path:line: message``)."""

    __slots__ = ("line", "message", "path")

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"

    def __reduce__(self):  # picklable across worker processes
        return (Problem, (self.path, self.line, self.message))


def fail(path: str, line: int | None, message: str) -> BuildError:
    return BuildError([Problem(path, line, message)])
