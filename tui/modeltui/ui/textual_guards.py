"""Guards for Textual defects that random keys reach, installed once when the app is imported.
Each names the Textual version it was found in and the test that fails without it; drop one
when the pinned Textual no longer has the defect (its test then passes without it).

- OptionList paging (Textual 8.2.8): `_move_page` reads the line of the highlighted option from a
  cache that is built only once the list has a size. A list paged between being shown and its
  next layout (a Select's dropdown opened on a busy machine, the command palette as it fills)
  raised KeyError and the app died. Textual's own `scroll_to_highlight` already skips that
  case; paging now does the same, and the key works once the list is laid out.
  (tests/test_app_option_pages.py)
"""

from __future__ import annotations

from textual.widgets import OptionList


def install() -> None:
    page = getattr(OptionList, "_move_page", None)
    if page is None or getattr(page, "guarded", False):  # a Textual without that code: nothing to guard
        return

    def _move_page(self: OptionList, direction: int) -> None:
        if self.options and (self.highlighted or 0) not in self._index_to_line:
            return  # not laid out yet: nothing to page through
        page(self, direction)

    _move_page.guarded = True
    OptionList._move_page = _move_page
