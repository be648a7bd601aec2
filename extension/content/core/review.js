/*
 * What happens to a held post: the panel with its actions (Edit, Redact, Post anyway, Cancel), the
 * fail mode when the companion cannot be reached, and the audit of every decision through the
 * service worker (which queues decisions while the companion is down).
 */
(function defineReview(root) {
  "use strict";
  const pg = (root.postguard = root.postguard || {});
  const { MESSAGES } = root.postguardMessages;

  /** Sends one decision to the audit log; never waits for the companion on the user's path. */
  function audit(platform, scanId, action, justification) {
    pg.runtime.send(MESSAGES.DECISION.type, { scanId: scanId ?? null, action, justification, platform });
  }

  /** What the panel may offer under this policy for this verdict. */
  function viewFor(result, policy, outcome) {
    const canOverride = result.verdict === "warn" && policy.enforcement === "warn" && policy.allowOverride === true;
    let blockNote = null;
    if (result.verdict === "block") blockNote = "panelBlockedSeverity";
    else if (!canOverride) blockNote = "panelBlockedByPolicy";
    const findings = result.findings || [];
    const textRedactable = Boolean(outcome.extracted || outcome.text) && findings.some((f) => f.source === "text" && Number.isInteger(f.start));
    const imageRedactable = findings.some((f) => f.source === "image" && Array.isArray(f.bbox));
    return {
      result, canOverride, blockNote, canRedact: textRedactable || imageRedactable,
      requireJustification: policy.requireJustification !== false,
    };
  }

  /**
   * Shows the panel for a held post. `ctx` = {adapter, composer, policy, replay} where replay() lets
   * the post go through once.
   */
  function showPanel(ctx, outcome) {
    const { composer, policy } = ctx;
    const result = outcome.answer.result;
    const textFindings = (result.findings || []).filter((f) => f.source === "text");
    try {
      pg.highlights.show(pg.highlights.spansFor(outcome.extracted, textFindings));
    } catch (_err) {
      // Highlights are a help; the panel must open even if the editor's DOM moved under us.
    }
    const parent = composer.root && composer.root !== composer.editor ? composer.root : null;
    return pg.panel.open({
      parent,
      anchor: composer.editor || composer.root,
      view: viewFor(result, policy, outcome),
      onAction: (action, details, panel) => onAction(ctx, outcome, action, details, panel),
    });
  }

  async function onAction(ctx, outcome, action, details, panel) {
    const { adapter, composer } = ctx;
    const scanId = outcome.answer.result.scan_id;
    if (action === "redact") return redact(ctx, outcome, panel);
    pg.panel.close();
    if (action === "override") {
      pg.highlights.clear();
      audit(adapter.platform, scanId, "overridden", details.justification || undefined);
      ctx.replay();
      return undefined;
    }
    if (action === "cancel") {
      pg.highlights.clear();
      audit(adapter.platform, scanId, "cancelled");
      composer.editor?.focus();
      return undefined;
    }
    // "edit" (and Esc): back to the editor, caret at the first text finding; highlights stay until typing.
    audit(adapter.platform, scanId, "edited");
    const first = firstTextOffset(outcome);
    if (composer.editor) pg.editorActions.placeCaret(composer.editor, first ?? 0);
    return undefined;
  }

  function firstTextOffset(outcome) {
    const spans = (outcome.answer.result.findings || [])
      .map((f) => pg.text.findingSpan(outcome.text, f)).filter(Boolean).map((s) => s.start);
    return spans.length ? Math.min(...spans) : null;
  }

  /** Redacts text spans in the editor and boxes in photos, then checks the post again. */
  async function redact(ctx, outcome, panel) {
    const { adapter, composer } = ctx;
    const result = outcome.answer.result;
    panel.setBusy(true);
    pg.highlights.clear();
    let changed = 0;
    const textFindings = result.findings.filter((f) => f.source === "text");
    if (composer.editor && textFindings.length) {
      changed += await pg.editorActions.redactSpans(composer.editor, outcome.text, textFindings, pg.t("redactedPlaceholder"));
    }
    changed += await redactImages(ctx, outcome);
    audit(adapter.platform, result.scan_id, "redacted");
    pg.panel.close();
    if (!changed) {
      pg.notice.show(pg.t("noticeRedactFailed"), { anchor: composer.editor || composer.root, timeoutMs: 8000 });
      return;
    }
    await new Promise((resolve) => root.setTimeout(resolve, 30)); // let the editor commit its model
    const again = await pg.precheck.checkNow(composer, adapter.platform);
    if (again.answer.ok && again.answer.result.verdict !== "allow") {
      ctx.current = again;
      showPanel(ctx, again);
      pg.notice.show(pg.t("noticeStillRisky"), { anchor: composer.editor || composer.root, timeoutMs: 6000 });
      return;
    }
    pg.notice.show(pg.t("noticeRedacted"), { anchor: composer.editor || composer.root, timeoutMs: 6000 });
    composer.editor?.focus();
  }

  async function redactImages(ctx, outcome) {
    const { adapter, composer } = ctx;
    const boxesByImage = new Map();
    for (const f of outcome.answer.result.findings) {
      if (f.source !== "image" || !Array.isArray(f.bbox)) continue;
      const list = boxesByImage.get(f.image_index) || [];
      list.push(f.bbox);
      boxesByImage.set(f.image_index, list);
    }
    let swapped = 0;
    for (const [index, boxes] of boxesByImage) {
      const image = outcome.images[index];
      if (!image) continue;
      const answer = await pg.runtime.send(MESSAGES.REDACT_IMAGE.type, {
        image: { name: image.name, mime: image.mime, data: image.data }, boxes,
      });
      if (answer.ok && await pg.images.swap(composer.root, adapter, index, answer.image)) swapped += 1;
    }
    return swapped;
  }

  /**
   * The companion could not be asked. failMode "open": the post goes through, a small notice says it
   * was not checked, and an audit event is queued. "closed": the post stays held with how to start
   * the companion, the support link and a "Check again" button.
   */
  function onUnreachable(ctx, retry) {
    const { adapter, composer, policy } = ctx;
    const anchor = composer.editor || composer.root;
    if (policy.failMode === "closed") {
      pg.notice.show(pg.t("noticeFailClosed"), {
        tone: "closed", anchor, command: "postguard serve",
        linkUrl: policy.supportUrl || undefined, linkText: pg.t("noticeHelp"),
        actionText: pg.t("actionRetry"), onAction: retry, timeoutMs: 0,
      });
      return;
    }
    audit(adapter.platform, null, "posted", "unchecked: companion unreachable (fail open)");
    ctx.replay();
    pg.notice.show(pg.t("noticeFailOpen"), {
      anchor, linkUrl: policy.supportUrl || undefined, linkText: pg.t("noticeHelp"), timeoutMs: 12000,
    });
  }

  pg.review = { audit, viewFor, showPanel, onUnreachable };
})(globalThis);
