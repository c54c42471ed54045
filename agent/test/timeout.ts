// Project-level testTimeout is ignored in a multi-project run: set it here.
jest.setTimeout(20_000);
