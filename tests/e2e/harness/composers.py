"""Driving each replica composer the way a person does: mouse clicks, real key presses, the file picker.

One driver per site with the same shape — open the composer, the editor, the submit control, attach a
photo, get to the point where the next press posts — so an end-to-end test reads the same on every site:

    driver = COMPOSERS["facebook"]
    driver.open(page)
    driver.type_text(page, "Hello")
    driver.submit_button(page).click()

Locators use Playwright CSS, which pierces open shadow roots (LinkedIn's share box). They are built from
the same DOM facts as composer-dom.md, not from the replicas' internals.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page

_LINKEDIN_DIALOG = '[data-test-modal-id="sharebox"][role="dialog"]'
_FACEBOOK_DIALOG = 'div[role="dialog"][aria-label="Create post"]'
_INSTAGRAM_DIALOG = 'div[role="dialog"]'


class LinkedInShareBox:
    """www.linkedin.com/feed/: "Start a post" → share box in #interop-outlet's shadow root."""

    site = "linkedin"

    def open(self, page: Page) -> Locator:
        """Click "Start a post" and return the (focused) editor."""
        page.click('[aria-label="Start a post"]')
        editor = self.editor(page)
        editor.wait_for()
        return editor

    def editor(self, page: Page) -> Locator:
        return page.locator(f'{_LINKEDIN_DIALOG} .ql-editor[contenteditable="true"][role="textbox"]')

    def submit_button(self, page: Page) -> Locator:
        return page.locator(f"{_LINKEDIN_DIALOG} button.share-actions__primary-action")

    def type_text(self, page: Page, text: str) -> None:
        """Click into the editor and type with real key events ("\\n" presses Enter)."""
        self.editor(page).click()
        _type_lines(page, text)

    def attach_image(self, page: Page, path: Path) -> None:
        """"Add media" → the native file picker → choose `path`; waits for the preview."""
        with page.expect_file_chooser() as chooser:
            page.click(f'{_LINKEDIN_DIALOG} button[aria-label="Add media"]')
        chooser.value.set_files(str(path))
        page.locator(f'{_LINKEDIN_DIALOG} img[src^="blob:"]').last.wait_for()

    def compose(self, page: Page, text: str, image: Path | None = None) -> Locator:
        """Open, attach, type; returns the submit control, ready to press."""
        self.open(page)
        if image is not None:
            self.attach_image(page, image)
        self.type_text(page, text)
        return self.submit_button(page)


class FacebookCreatePost:
    """www.facebook.com/: "What's on your mind, Li Wei?" → the Create post dialog (Lexical)."""

    site = "facebook"

    def open(self, page: Page) -> Locator:
        page.click('div[role="region"][aria-label="Create a post"] [role="button"]:has-text("What\'s on your mind")')
        editor = self.editor(page)
        editor.wait_for()
        return editor

    def editor(self, page: Page) -> Locator:
        """The last visible Lexical textbox in the dialog (Facebook re-renders it after uploads)."""
        return page.locator(f'{_FACEBOOK_DIALOG} div[contenteditable="true"][role="textbox"][data-lexical-editor="true"]').last

    def submit_button(self, page: Page) -> Locator:
        return page.locator(f'{_FACEBOOK_DIALOG} div[role="button"][aria-label="Post"]')

    def type_text(self, page: Page, text: str) -> None:
        self.editor(page).click()
        _type_lines(page, text)

    def attach_image(self, page: Page, path: Path) -> None:
        """[aria-label="Photo/video"] → "Add photos/videos" → file picker; waits for the re-rendered composer."""
        page.click(f'{_FACEBOOK_DIALOG} [aria-label="Photo/video"]')
        with page.expect_file_chooser() as chooser:
            page.click(f'{_FACEBOOK_DIALOG} [role="button"]:has-text("Add photos/videos")')
        chooser.value.set_files(str(path))
        page.locator(f'{_FACEBOOK_DIALOG} img[src^="blob:"]').last.wait_for()

    def compose(self, page: Page, text: str, image: Path | None = None) -> Locator:
        self.open(page)
        self.type_text(page, text)
        if image is not None:
            self.attach_image(page, image)
        return self.submit_button(page)

    def comment_box(self, page: Page) -> Locator:
        """The first story's "Write a comment…" textbox (Enter submits there)."""
        return page.locator('div[contenteditable="true"][role="textbox"][aria-label="Write a comment…"]').first


class InstagramCreateFlow:
    """www.instagram.com/: Create ("New post") → select → Crop → Edit → caption → Share."""

    site = "instagram"

    def open(self, page: Page) -> Locator:
        """Open the dialog at the select step; returns the "Select from computer" button."""
        page.click('svg[aria-label="New post"]')
        button = page.locator(f'{_INSTAGRAM_DIALOG} button:has-text("Select from computer")')
        button.wait_for()
        return button

    def select_photo(self, page: Page, path: Path) -> None:
        with page.expect_file_chooser() as chooser:
            page.click(f'{_INSTAGRAM_DIALOG} button:has-text("Select from computer")')
        chooser.value.set_files(str(path))
        self.header_button(page, "Next").wait_for()

    def header_button(self, page: Page, text: str) -> Locator:
        """A header control known only by its text (Next, Share)."""
        return page.locator(f'{_INSTAGRAM_DIALOG} div[role="button"]:text-is("{text}")')

    def editor(self, page: Page) -> Locator:
        return page.locator(f'{_INSTAGRAM_DIALOG} div[aria-label="Write a caption..."][contenteditable="true"][role="textbox"]')

    def submit_button(self, page: Page) -> Locator:
        return self.header_button(page, "Share")

    def to_caption_step(self, page: Page) -> Locator:
        """From Crop: Next, Next; returns the caption editor."""
        self.header_button(page, "Next").click()
        page.locator(f"{_INSTAGRAM_DIALOG} canvas").wait_for()
        self.header_button(page, "Next").click()
        editor = self.editor(page)
        editor.wait_for()
        return editor

    def type_text(self, page: Page, text: str) -> None:
        self.editor(page).click()
        _type_lines(page, text)

    def compose(self, page: Page, text: str, image: Path) -> Locator:
        """Instagram needs a photo: select it, walk to the caption, type; returns Share."""
        self.open(page)
        self.select_photo(page, image)
        self.to_caption_step(page)
        self.type_text(page, text)
        return self.submit_button(page)


def _type_lines(page: Page, text: str) -> None:
    for index, line in enumerate(text.split("\n")):
        if index:
            page.keyboard.press("Enter")
        if line:
            page.keyboard.type(line)


COMPOSERS = {"linkedin": LinkedInShareBox(), "facebook": FacebookCreatePost(), "instagram": InstagramCreateFlow()}
