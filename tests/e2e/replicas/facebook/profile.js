/** The signed-in Facebook user every replica view shows. */
export const ME = { name: "Li Wei", initials: "LW", color: "#915907" };
/** Who the user acts as: the member, or the company Page after "Switch Now" (which reloads; here `?as=page`). */
export const COMPANY_PAGE = "Lumen Hardware";
export const ACTING = new URLSearchParams(location.search).get("as") === "page" ? COMPANY_PAGE : ME.name;
export const WHATS_ON_YOUR_MIND = `What's on your mind, ${ACTING}?`;
