// Parses the "token ids" prompt mode: comma- or space-separated integers, each checked against
// the model's vocabulary so a typo shows up as a message instead of a GPU out-of-range read.

/**
 * Parses `"3, 17 42"` into `[3, 17, 42]`.
 * @throws Error naming the first bad entry, or when there is no id at all.
 */
export function parsePromptIds(text: string, vocabSize?: number): number[] {
  const parts = text.split(/[\s,]+/).filter((part) => part !== '');
  if (parts.length === 0) throw new Error('parsePromptIds: the prompt must hold at least one token id');
  return parts.map((part, index) => {
    if (!/^\d+$/.test(part)) {
      throw new Error(`parsePromptIds: entry ${index} must be a non-negative integer, got "${part}"`);
    }
    const id = Number(part);
    if (vocabSize !== undefined && id >= vocabSize) {
      throw new Error(
        `parsePromptIds: entry ${index} must be below the vocabulary size ${vocabSize}, got ${id}`,
      );
    }
    return id;
  });
}
