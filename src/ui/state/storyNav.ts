import type { Story, StoryStep } from '../../sim/story.ts';
import type { AppState, View } from './appState.ts';

/** Where a talk is: a story step, and for a step with a question, whether its answer has been revealed. */
export interface StoryPosition {
  step: number;
  revealed: boolean;
}

/**
 * The clicker's next position. Forward: a question not yet revealed is revealed (same step); otherwise the next step,
 * its question (if any) still hidden. Back: a revealed question hides again; otherwise the previous step, shown as it
 * was left (revealed). At either end the position stays.
 */
export function storyMove(story: Story, at: StoryPosition, direction: 1 | -1): StoryPosition {
  const q = !!story[at.step]?.question;
  if (direction > 0) {
    if (q && !at.revealed) return { step: at.step, revealed: true };
    return at.step + 1 < story.length ? { step: at.step + 1, revealed: false } : at;
  }
  if (q && at.revealed) return { step: at.step, revealed: false };
  return at.step > 0 ? { step: at.step - 1, revealed: true } : at;
}

/**
 * The app state a step puts on screen: its view, its models, and the controls back at the step's own settings (the
 * scenario's, with the step's `set`).
 */
export function stepState(app: AppState, steps: Story, index: number): AppState {
  const step: StoryStep = steps[index];
  const view: View = step.show?.view ?? 'compare';
  const models = step.show?.models;
  return {
    ...app,
    step: index,
    view,
    // Drawn alone: the first it names (as the story format says). Compared: the narration follows the last, the model
    // the step brings in ("threads beside sequential").
    model: (view === 'compare' ? models?.at(-1) : models?.[0]) ?? 0,
    cores: undefined,
    workers: undefined,
    switchIntervalMs: undefined,
    startMethod: undefined,
    window: undefined,
    reshape: undefined,
    perModel: undefined,
    ...(models ? { shown: models } : { shown: undefined }),
  };
}
