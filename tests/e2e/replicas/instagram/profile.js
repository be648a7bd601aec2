/** The signed-in Instagram account every replica view shows. */
export const ME = { username: "li.wei.exports", name: "Li Wei", initials: "LW", color: "#915907" };
/** The account the page is signed in as: switching accounts reloads as the other one (here `?as=page`). */
export const COMPANY_ACCOUNT = "lumenhardware.official";
export const CURRENT = new URLSearchParams(location.search).get("as") === "page" ? COMPANY_ACCOUNT : ME.username;
