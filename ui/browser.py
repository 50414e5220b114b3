"""Our own script and style for the chat page (no untrusted text in either): `[n]` links open
and highlight their source, copy buttons copy, and a chosen thumb is easy to see."""

from __future__ import annotations

OWNER_COOKIE = "newsdesk_owner"

# No '<' anywhere: Streamlit's sanitiser drops a script whose text looks like markup.
_SCRIPT = """
(function () {
  if (window.__newsdeskChat) { return; }
  window.__newsdeskChat = true;
  function flash(el) {
    el.classList.add("nd-flash");
    setTimeout(function () { el.classList.remove("nd-flash"); }, 2500);
  }
  function openSource(link) {
    var el = document.getElementById(link.getAttribute("data-target"));
    if (!el) { return; }
    var box = el.closest("details");
    if (box && !box.open) { box.querySelector("summary").click(); }
    setTimeout(function () {
      el.scrollIntoView({block: "center", behavior: "smooth"});
      flash(el);
      el.setAttribute("data-shown", "1");
    }, 120);
  }
  function copied(button, ok) {
    var label = button.textContent;
    button.textContent = ok ? "Copied" : "Copy failed";
    button.setAttribute("data-copied", ok ? "1" : "0");
    setTimeout(function () { button.textContent = label; }, 2000);
  }
  function copy(button) {
    var text = button.getAttribute("data-copy") || "";
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { copied(button, true); }, function () { copied(button, false); });
      return;
    }
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    copied(button, ok);
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) { return; }
    var link = target.closest("a.nd-cite");
    if (link) { event.preventDefault(); openSource(link); return; }
    var button = target.closest("button.nd-copy");
    if (button) { event.preventDefault(); copy(button); }
  });
})();
"""

STYLE = """<style>
.nd-quote.nd-flash { background: rgba(253, 230, 138, 0.55); outline: 2px solid #f59e0b; }
a.nd-cite:hover { background: rgba(28, 131, 225, 0.25) !important; }
[data-testid="stFeedbackButtonActive"] {
  background: #1c6ec4; color: #ffffff; border-radius: 0.5rem;
}
[data-testid="stFeedbackButtonActive"] [data-testid="stIconMaterial"] { color: #ffffff; }
</style>"""


def chat_script() -> str:
    """The page's click handler for `[n]` links and copy buttons (installed once per page)."""
    return f"<script>{_SCRIPT}</script>"


def owner_cookie_script(owner: str) -> str:
    """Remember this browser's conversations list: a year-long cookie with a hex id."""
    safe = "".join(ch for ch in owner if ch in "0123456789abcdef")[:32]
    return (
        f'<script>document.cookie = "{OWNER_COOKIE}={safe}; path=/; max-age=31536000; '
        'SameSite=Lax";</script>'
    )
