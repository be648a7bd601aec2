"""The replica composers, without any extension: they must behave like the real sites where an
extension can trip (shadow root, asynchronous models, Lexical reverting DOM writes, div buttons, re-renders,
Trusted Types), and their own handlers must record exactly what they sent. If these fail, the extension's
end-to-end results mean nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.composers import COMPOSERS
from playwright.sync_api import expect

from harness.replica_page import (assert_nothing_sent, make_text_image, screenshot_path, sha256_file,
                                  wait_for_model_text, wait_for_sent)

pytestmark = pytest.mark.e2e

LINKEDIN, FACEBOOK, INSTAGRAM = COMPOSERS["linkedin"], COMPOSERS["facebook"], COMPOSERS["instagram"]


def without_timing(records: list[dict]) -> list[dict]:
    """Records without their `at` timestamp, for whole-record comparisons."""
    return [{key: value for key, value in record.items() if key != "at"} for record in records]


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return make_text_image(tmp_path / "showroom.png", ["Showroom wall, spring samples", "Hinges and drawer slides"])


def test_linkedin_share_box_is_in_the_shadow_root_and_posts_what_was_typed(replica_browser, open_site):
    page = open_site(replica_browser, "linkedin")
    editor = LINKEDIN.open(page)
    seen_from_document = page.evaluate("""() => {
        const decoy = document.querySelector('.ql-editor[data-test-ql-editor-contenteditable="true"]');
        const outlet = document.querySelector('div#interop-outlet[data-testid="interop-shadowdom"]');
        return {
            decoyVisible: !!decoy && decoy.offsetParent !== null,
            decoyInDialog: !!decoy && !!decoy.closest('[role="dialog"]'),
            dialogInDocument: document.querySelector('[data-test-modal-id="sharebox"]') !== null,
            dialogInShadow: outlet.shadowRoot.querySelector('[data-test-modal-id="sharebox"][role="dialog"].share-box-v2__modal') !== null,
        };
    }""")
    assert seen_from_document == {"decoyVisible": False, "decoyInDialog": False, "dialogInDocument": False, "dialogInShadow": True}
    assert "ql-blank" in editor.get_attribute("class")
    assert LINKEDIN.submit_button(page).is_disabled()

    LINKEDIN.type_text(page, "Spring samples are in\nCome see the showroom")
    page.wait_for_function("() => !document.querySelector('#interop-outlet').shadowRoot.querySelector('.ql-editor').classList.contains('ql-blank')")
    assert LINKEDIN.submit_button(page).is_enabled()
    wait_for_model_text(page, editor, "Spring samples are in\nCome see the showroom")
    page.screenshot(path=screenshot_path("replica-linkedin-share-box"))
    LINKEDIN.submit_button(page).click()

    assert without_timing(wait_for_sent(page)) == [
        {"kind": "post", "text": "Spring samples are in\nCome see the showroom", "files": [], "site": "linkedin"}]
    assert page.get_by_role("alert").inner_text().startswith("Post successful.")


def test_linkedin_post_sends_the_editor_model_which_follows_the_dom_one_tick_late(replica_browser, open_site):
    page = open_site(replica_browser, "linkedin")
    LINKEDIN.open(page)
    LINKEDIN.type_text(page, "first draft")
    # The model, not the Post button: the button is enabled from the first letter on, while the model
    # may still be a key press behind ("first draf") on a busy machine.
    wait_for_model_text(page, LINKEDIN.editor(page), "first draft")
    same_tick = """(wait) => new Promise((resolve) => {
        const root = document.querySelector('#interop-outlet').shadowRoot;
        const editor = root.querySelector('.ql-editor');
        editor.focus();
        root.getSelection().selectAllChildren(editor);
        document.execCommand('insertText', false, 'final wording');
        const post = () => { root.querySelector('button.share-actions__primary-action').click(); resolve(); };
        wait ? setTimeout(post, 50) : post();
    })"""
    page.evaluate(same_tick, False)
    assert wait_for_sent(page)[0]["text"] == "first draft"

    LINKEDIN.open(page)
    LINKEDIN.type_text(page, "first draft")
    wait_for_model_text(page, LINKEDIN.editor(page), "first draft")
    page.evaluate(same_tick, True)
    assert wait_for_sent(page, 2)[1]["text"] == "final wording"


def test_linkedin_attached_image_is_sent_with_its_bytes(replica_browser, open_site, photo):
    page = open_site(replica_browser, "linkedin")
    LINKEDIN.open(page)
    LINKEDIN.attach_image(page, photo)
    assert LINKEDIN.submit_button(page).is_enabled()  # a photo alone can be posted
    LINKEDIN.type_text(page, "New samples")
    wait_for_model_text(page, LINKEDIN.editor(page), "New samples")  # the button was enabled all along
    LINKEDIN.submit_button(page).click()

    [record] = wait_for_sent(page)
    assert record["text"] == "New samples"
    assert record["files"] == [{"name": "showroom.png", "type": "image/png", "size": photo.stat().st_size, "sha256": sha256_file(photo)}]


def test_linkedin_both_comment_boxes_send_the_typed_comment(replica_browser, open_site):
    page = open_site(replica_browser, "linkedin")
    old_submit = page.locator("form.comments-comment-box__form button.comments-comment-box__submit-button--cr")
    new_submit = page.locator('[data-view-name="comment-box"] button[data-view-name="comment-post"]')
    assert old_submit.is_disabled() and new_submit.is_disabled()

    old_editor = page.locator("form.comments-comment-box__form .ql-editor")
    old_editor.click()
    page.keyboard.type("Count us in")
    wait_for_model_text(page, old_editor, "Count us in")
    old_submit.click()
    new_editor = page.locator('[data-view-name="comment-box"] .tiptap.ProseMirror[role="textbox"][aria-label="Text editor for creating comment"]')
    new_editor.click()
    page.keyboard.type("Same here")
    wait_for_model_text(page, new_editor, "Same here")
    new_submit.click()

    assert [(r["kind"], r["text"]) for r in wait_for_sent(page, 2)] == [("comment", "Count us in"), ("comment", "Same here")]
    assert page.locator(".comments-comment-item__main-content").all_inner_texts() == ["Count us in", "Same here"]


def test_linkedin_enforces_trusted_types_like_the_real_site(replica_browser, replica_server):
    page = replica_browser.new_page()
    response = page.goto(replica_server.url("linkedin"))
    assert "require-trusted-types-for 'script'" in response.headers["content-security-policy"]
    blocked = page.evaluate("""() => {
        const attempt = (fn) => { try { fn(); return 'allowed'; } catch (e) { return e.name; } };
        return {
            html: attempt(() => { document.body.insertAdjacentHTML('beforeend', '<b>x</b>'); }),
            script: attempt(() => { document.createElement('script').src = '/_replica/linkedin/feed.js'; }),
            text: attempt(() => { document.createElement('div').textContent = '<b>x</b>'; }),
        };
    }""")
    assert blocked == {"html": "TypeError", "script": "TypeError", "text": "allowed"}


def test_facebook_lexical_editor_reverts_direct_dom_writes_and_accepts_exec_command(replica_browser, open_site):
    page = open_site(replica_browser, "facebook")
    FACEBOOK.open(page)
    FACEBOOK.type_text(page, "Hello team")
    after_writes = page.evaluate("""async () => {
        const editor = document.querySelector('[role="dialog"] [data-lexical-editor="true"]');
        const settle = () => new Promise((r) => setTimeout(r, 50));
        editor.textContent = 'Hello world';
        await settle();
        const afterTextContent = editor.innerText.trim();
        editor.querySelector('span[data-lexical-text="true"]').innerHTML = '<b>Hello world</b>';
        await settle();
        const afterInnerHtml = editor.innerText.trim();
        const text = editor.querySelector('span[data-lexical-text="true"]').firstChild;
        editor.focus();
        getSelection().setBaseAndExtent(text, 6, text, 10);
        document.execCommand('insertText', false, 'buyers');
        await settle();
        return [afterTextContent, afterInnerHtml, editor.innerText.trim(), editor.innerHTML.includes('data-lexical-text')];
    }""")
    assert after_writes == ["Hello team", "Hello team", "Hello buyers", True]
    FACEBOOK.submit_button(page).click()
    assert wait_for_sent(page)[0]["text"] == "Hello buyers"


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_facebook_post_is_a_div_button_disabled_while_empty_and_pressed_by_keys(replica_browser, open_site, key):
    page = open_site(replica_browser, "facebook")
    FACEBOOK.open(page)
    post = FACEBOOK.submit_button(page)
    assert post.get_attribute("aria-disabled") == "true"
    post.click(force=True)
    assert_nothing_sent(page)

    FACEBOOK.type_text(page, "Ready for the fair")
    assert post.get_attribute("aria-disabled") == "false"
    post.focus()
    page.keyboard.press(key)
    assert wait_for_sent(page)[0]["text"] == "Ready for the fair"
    assert page.locator('div[role="dialog"][aria-label="Create post"]').count() == 0


def test_facebook_composer_rerenders_after_an_image_and_posts_text_and_photo(replica_browser, open_site, photo):
    page = open_site(replica_browser, "facebook")
    FACEBOOK.open(page)
    FACEBOOK.type_text(page, "Our new catalogue")
    old_editor = FACEBOOK.editor(page).element_handle()
    old_post = FACEBOOK.submit_button(page).element_handle()
    FACEBOOK.attach_image(page, photo)

    assert old_editor.evaluate("(e) => e.isConnected") is False
    assert old_post.evaluate("(e) => e.isConnected") is False
    assert FACEBOOK.editor(page).inner_text() == "Our new catalogue"
    assert page.locator('div[role="dialog"] input[type="file"][multiple][accept^="image/*"]').count() == 1
    page.screenshot(path=screenshot_path("replica-facebook-create-post"))
    FACEBOOK.submit_button(page).click()

    [record] = wait_for_sent(page)
    assert record["text"] == "Our new catalogue"
    assert [f["sha256"] for f in record["files"]] == [sha256_file(photo)]


def test_facebook_comment_enter_submits_and_shift_enter_breaks_the_line(replica_browser, open_site):
    page = open_site(replica_browser, "facebook")
    FACEBOOK.comment_box(page).click()
    page.keyboard.type("Great fair")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("see you next year")
    assert_nothing_sent(page)
    page.keyboard.press("Enter")

    assert without_timing(wait_for_sent(page)) == [
        {"kind": "comment", "text": "Great fair\nsee you next year", "files": [], "site": "facebook"}]
    assert FACEBOOK.comment_box(page).inner_text().strip() == ""
    page.locator(".fb-comments__text").wait_for()
    page.screenshot(path=screenshot_path("replica-facebook-comment"))


def test_instagram_flow_shares_the_caption_and_the_selected_photo(replica_browser, open_site, photo):
    page = open_site(replica_browser, "instagram")
    INSTAGRAM.open(page)
    file_input = page.locator('div[role="dialog"] input[type="file"]')
    assert file_input.get_attribute("accept") == "image/jpeg,image/png,image/heic,image/heif,video/mp4,video/quicktime"
    INSTAGRAM.select_photo(page, photo)
    assert page.locator('div[role="dialog"] [style*="blob:"]').count() == 1
    assert INSTAGRAM.header_button(page, "Next").get_attribute("aria-label") is None

    INSTAGRAM.to_caption_step(page)
    INSTAGRAM.type_text(page, "Spring samples\nDM for the catalogue")
    page.screenshot(path=screenshot_path("replica-instagram-caption"))
    INSTAGRAM.submit_button(page).click()

    page.get_by_text("Your post has been shared.").wait_for()
    [record] = wait_for_sent(page)
    assert record["text"] == "Spring samples\nDM for the catalogue"
    assert record["files"] == [{"name": "showroom.png", "type": "image/png", "size": photo.stat().st_size, "sha256": sha256_file(photo)}]


def test_instagram_caption_reverts_direct_dom_writes(replica_browser, open_site, photo):
    page = open_site(replica_browser, "instagram")
    INSTAGRAM.compose(page, "Samples ready", photo)
    page.evaluate("""() => { document.querySelector('[aria-label="Write a caption..."]').textContent = 'Replaced'; }""")
    expect(INSTAGRAM.editor(page)).to_have_text("Samples ready", use_inner_text=True)  # reverted a task later: polled, not slept
    INSTAGRAM.submit_button(page).click()
    assert wait_for_sent(page)[0]["text"] == "Samples ready"


@pytest.mark.parametrize("site", ["linkedin", "facebook", "instagram"])
def test_a_window_capture_listener_can_hold_the_post_and_replay_it(replica_browser, open_site, photo, site):
    """What the extension relies on: site handlers run after window capture listeners, and a later
    `.click()` on the (re-found) control posts exactly once."""
    page = open_site(replica_browser, site)
    driver = COMPOSERS[site]
    submit = driver.compose(page, "Held then released", photo)
    page.evaluate("""() => {
        window.__held = 0;
        window.addEventListener('click', (event) => {
            if (window.__held++ > 0) return;
            event.preventDefault();
            event.stopImmediatePropagation();
        }, true);
    }""")
    submit.click()
    assert_nothing_sent(page)
    submit.evaluate("(control) => control.click()")
    records = wait_for_sent(page)
    page.wait_for_timeout(200)
    assert len(page.evaluate("() => window.__replica.sent")) == 1
    assert records[0]["text"] == "Held then released"
    assert [f["sha256"] for f in records[0]["files"]] == [sha256_file(photo)]
