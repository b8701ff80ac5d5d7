import type { ChoicePoint, ModelRun } from '../../sim/timeline.ts';
import type { Scenario, Seconds } from '../../sim/types.ts';
import type { PlayerEvent } from '../player/playerMachine.ts';
import { canUndo, pendingChoice, pickPlan, rulesPlan, SAME_INSTANT, undoPlan, type SchedulePlan } from './schedule.ts';
import { candidateLabel, outcomeOf, questionOf, type RunOutcome } from './scheduleWords.ts';

/** How finely a link keeps the playhead (`t=`, see encodeState), in seconds. */
const LINK_TIME = 1e-4;

/** What the scheduler reads from the app, each time (reactive where the app's values are). */
export interface SchedulerInput {
  /** The plan being played, when its model is a threads model of the scenario asked for; undefined: the mode is off. */
  plan: SchedulePlan | undefined;
  /** The scheduled model's run on screen (read only while `current`). */
  run: ModelRun | undefined;
  scenario: Scenario;
  /** The charts show the scenario asked for: the run has the plan's picks. */
  current: boolean;
  /** The end of the time axis the player should have loaded for these runs. */
  end: Seconds;
  /** The scheduled model's switch interval, in ms (for the words of a drop request). */
  switchIntervalMs: number;
}

/** The part of the Player the scheduler drives. */
export interface Playhead {
  readonly time: Seconds;
  readonly playing: boolean;
  readonly end: Seconds;
  send(e: PlayerEvent): void;
}

/**
 * - `off`: no plan. `simulating`: the run of the latest picks is on its way. `asking`: a point waits for a pick.
 * - `over`: nothing more to pick (no point left, or the rules decide the rest): the run plays to its outcome.
 */
export type SchedulerPhase = 'off' | 'simulating' | 'asking' | 'over';

/**
 * You are the scheduler: the state of the mode, and what drives the playhead in it. Playback runs to the point asked
 * about and stops there (`follow`); a pick (or undo) changes the plan, which the app simulates, and once that run is
 * on screen the playhead goes back to the point and, after a pick, plays on to the next one. The plan itself is the
 * app's (it is in the link); this holds only the highlighted candidate and where to go once the next run arrives.
 */
export class Scheduler {
  /** The candidate the arrow keys highlight at the point asked about (Enter picks it); the rule's own pick first. */
  selected = $state(0);
  /** Focus goes to the highlighted candidate when the panel next asks (after entering the mode with its button). */
  wantFocus = $state(false);
  /**
   * After a pick, undo or entering: where the playhead goes once the new run is on screen, and whether it plays on
   * (never past the next point). `toPoint`: to the point asked about instead, if the playhead is past it by at most
   * `within` seconds (entering: any distance).
   */
  private resume: { at: Seconds; play: boolean; toPoint?: boolean; within?: Seconds } | null = null;
  /** The playhead at the last `follow`: a stop is made only when playback crosses the point. */
  private lastTime = 0;
  private wasPlaying = false;
  private readonly player: Playhead;
  private readonly input: () => SchedulerInput;
  private readonly commit: (plan: SchedulePlan | undefined) => void;

  constructor(player: Playhead, input: () => SchedulerInput, commit: (plan: SchedulePlan | undefined) => void) {
    this.player = player;
    this.input = input;
    this.commit = commit;
    this.lastTime = player.time;
  }

  readonly plan = $derived.by(() => this.input().plan);
  /** The point asked about, once the run of the picks is on screen. */
  readonly pending = $derived.by((): ChoicePoint | null => {
    const { plan, run, current } = this.input();
    return plan && run && current ? pendingChoice(run, plan) : null;
  });
  readonly phase = $derived.by((): SchedulerPhase => {
    const { plan, run, current } = this.input();
    if (!plan) return 'off';
    if (!current || !run) return 'simulating';
    return this.pending ? 'asking' : 'over';
  });
  /** One button per candidate, the rule's own pick first. */
  readonly candidates = $derived.by(() => {
    const p = this.pending;
    const { run, scenario } = this.input();
    if (!p || !run) return [];
    return p.candidates.map((c, i) => ({ thread: c.thread, label: candidateLabel(run, scenario, p, i), rule: i === 0 }));
  });
  readonly question = $derived.by(() => {
    const p = this.pending;
    const { run, scenario, switchIntervalMs } = this.input();
    return p && run ? questionOf(run, scenario, p, switchIntervalMs) : null;
  });
  /** How the run ends (while `over`), and whether the playhead has reached it. */
  readonly outcome = $derived.by((): RunOutcome | null => {
    const { run, scenario } = this.input();
    return this.phase === 'over' && run ? outcomeOf(run, scenario) : null;
  });
  readonly reached = $derived.by(() => !!this.outcome && this.player.time >= this.outcome.at - SAME_INSTANT);
  /** The playhead is past the point asked about: the chart there shows the rules' picks, until this one is made. */
  readonly ahead = $derived.by(() => !!this.pending && this.player.time > this.pending.at + SAME_INSTANT);
  readonly canUndo = $derived.by(() => !!this.plan && canUndo(this.plan));
  /** How many candidates the keys choose between now: 0 while there is nothing to pick. */
  readonly picking = $derived.by(() => (this.phase === 'asking' ? this.candidates.length : 0));

  /** Into the mode with `plan` (a saved file's schedule kept): playback runs to the first point it leaves open. */
  enter(plan: SchedulePlan, focus = false): void {
    this.player.send({ type: 'PAUSE' });
    this.resume = { at: this.player.time, play: true, toPoint: true };
    this.selected = 0;
    this.wantFocus = focus;
    this.commit(plan);
  }

  /**
   * The state came from a link (a reload, Back): its playhead is kept to 0.1 ms, so one at a point comes back just past
   * it, where playback would not stop: put it on the point.
   */
  restore(): void {
    this.resume = { at: this.player.time, play: false, toPoint: true, within: LINK_TIME };
    this.selected = 0;
  }

  /** The picks were cleared (other settings, other choice points): back to the first point once its run is shown. */
  restart(): void {
    this.resume = { at: this.player.time, play: false, toPoint: true };
    this.selected = 0;
  }

  leave(): void {
    this.resume = null;
    this.commit(undefined);
  }

  /** The `i`-th candidate gets the GIL at the point asked about; the run goes on from there to the next point. */
  pick(i: number): void {
    const p = this.pending;
    const plan = this.plan;
    if (!p || !plan || i < 0 || i >= p.candidates.length) return;
    this.player.send({ type: 'PAUSE' });
    this.resume = { at: p.at, play: true };
    this.selected = 0;
    this.commit(pickPlan(plan, p.candidates[i].thread));
  }

  /** Takes back the rules' say over the rest, or else the last pick: the playhead goes back to that point. */
  undo(): void {
    const plan = this.plan;
    const { run, current } = this.input();
    if (!plan || !canUndo(plan)) return;
    const back = plan.rules ? plan.picks.length : plan.picks.length - 1;
    const at = current ? run?.choices[back]?.at : undefined;
    this.player.send({ type: 'PAUSE' });
    this.resume = at !== undefined ? { at, play: false } : null;
    this.selected = 0;
    this.commit(undoPlan(plan));
  }

  /** No more questions: the rules decide every point after the picks, and the run plays to its end. */
  letRules(): void {
    const plan = this.plan;
    if (!plan || plan.rules) return;
    this.resume = { at: this.player.time, play: true };
    this.commit(rulesPlan(plan));
  }

  /** The arrow keys: the highlight moves through the candidates (and wraps). */
  move(direction: 1 | -1): void {
    const n = this.candidates.length;
    if (n) this.selected = (((this.selected + direction) % n) + n) % n;
  }

  /**
   * Called from an effect, after the app has loaded the runs into the player: moves the playhead where a pick or undo
   * asked once its run is on screen, and stops playback at the point asked about.
   */
  follow(): void {
    const { time, playing } = this.player;
    const { plan, current, end } = this.input();
    const stop = this.pending?.at;
    if (!plan) {
      this.lastTime = time;
      this.wasPlaying = playing;
      return;
    }
    // The new run is on screen and the player has its end: go back to the point, and play on from it.
    if (this.resume && current && Math.abs(this.player.end - end) <= SAME_INSTANT) {
      const { play, toPoint, within = Infinity } = this.resume;
      const at = toPoint && stop !== undefined && this.resume.at - stop <= within ? Math.min(this.resume.at, stop) : this.resume.at;
      this.resume = null;
      this.player.send({ type: 'SEEK', time: at });
      this.lastTime = at;
      if (play && at < end - SAME_INSTANT && !(stop !== undefined && stop <= at + SAME_INSTANT)) this.player.send({ type: 'PLAY' });
      this.wasPlaying = this.player.playing;
      return;
    }
    // Played across the point: back onto it. A slow frame can carry playback to the end, where the player pauses by
    // itself in the same step: that counts as playing across it too.
    const played = playing || (this.wasPlaying && time >= this.player.end - SAME_INSTANT);
    this.wasPlaying = playing;
    if (played && stop !== undefined && this.lastTime < stop - SAME_INSTANT && time >= stop - SAME_INSTANT) {
      this.player.send({ type: 'SEEK', time: stop });
      this.lastTime = stop;
      return;
    }
    this.lastTime = time;
  }
}
