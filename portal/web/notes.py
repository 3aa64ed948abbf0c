"""Notes written in Markdown (candidates, employers, interviews), shown as sanitised HTML.

Markdown lets a recruiter keep lists and emphasis; nh3 (the maintained Rust sanitiser
ammonia) then keeps only a few harmless tags, so whatever a note holds it cannot run
script, load anything or restyle the page.
"""

import markdown
import nh3
from markupsafe import Markup

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3", "h4"}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
HINT = "Markdown works: *emphasis*, **bold**, lists starting with “- ”, links."


def render_note(text: str | None) -> Markup:
    """Jinja filter ``note``: a note's Markdown as safe HTML (raw HTML in it is dropped)."""
    if not text:
        return Markup("")
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    # What nh3 lets through is the safe subset (bandit B704 reviewed).
    return Markup(
        nh3.clean(
            html,
            tags=TAGS,
            attributes=ATTRIBUTES,
            url_schemes=URL_SCHEMES,  # nosec B704
            link_rel="noopener noreferrer nofollow",
        )
    )
