/** The signed-in Facebook user every replica view shows. */
export const ME = { name: "Li Wei", initials: "LW", color: "#915907" };
export const WHATS_ON_YOUR_MIND = `What's on your mind, ${ME.name}?`;
