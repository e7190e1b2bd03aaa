// Typed errors of the tokenizer package. Every failure the package raises on purpose is a
// `TokenizerError`; messages start with the function that failed and say what was expected and
// what came, e.g. `Tokenizer.decode: token id must be in the vocabulary (size 50277), got 90000`.

/** Base class of every error this package throws on purpose. */
export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

/** A tokenizer.json (or one of its parts) is malformed: missing field, wrong type, bad value. */
export class TokenizerConfigError extends TokenizerError {
  override name = 'TokenizerConfigError';
  /** Where in the JSON the problem is, e.g. `model.merges[12]`. */
  readonly path: string;
  constructor(message: string, path: string) {
    super(message);
    this.path = path;
  }
}

/** A component `type` this package does not implement, e.g. a `WordPiece` model. */
export class UnsupportedComponentError extends TokenizerConfigError {
  override name = 'UnsupportedComponentError';
  /** The kind of component: `normalizer`, `pre_tokenizer`, `model`, `post_processor`, `decoder`. */
  readonly component: string;
  /** The unsupported `type` value as written in the JSON. */
  readonly type: string;
  constructor(component: string, type: string, path: string, supported: readonly string[]) {
    super(
      `Tokenizer.fromJSON: ${component} type must be one of ${supported.join(', ')}, got "${type}" at ${path}`,
      path,
    );
    this.component = component;
    this.type = type;
  }
}

/** A regular expression of a tokenizer.json uses syntax that cannot be run exactly in JavaScript. */
export class UnsupportedPatternError extends TokenizerConfigError {
  override name = 'UnsupportedPatternError';
}

/** A token id passed to `decode` (or a stream) is not in the vocabulary. */
export class TokenIdError extends TokenizerError {
  override name = 'TokenIdError';
  /** The offending id. */
  readonly id: unknown;
  constructor(message: string, id: unknown) {
    super(message);
    this.id = id;
  }
}

/** An argument of a public method has the wrong type (e.g. `encode(42)`). */
export class TokenizerArgumentError extends TokenizerError {
  override name = 'TokenizerArgumentError';
}
