/** The signed-in member every LinkedIn replica view shows. */
export const ME = { name: "Li Wei", initials: "LW", color: "#915907", headline: "Export Sales Manager at Lumen Hardware Co., Ltd." };
