// One Jest run for the whole repository: each app folder has its own project config.
module.exports = {
  projects: ["<rootDir>/libs/protocol", "<rootDir>/backend", "<rootDir>/agent", "<rootDir>/frontend", "<rootDir>/e2e"],
};
