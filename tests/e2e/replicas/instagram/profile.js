/** The signed-in Instagram account every replica view shows. */
export const ME = { username: "li.wei.exports", name: "Li Wei", initials: "LW", color: "#915907" };
