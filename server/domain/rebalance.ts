/**
 * Rebalancing proposal: which full-time collectors to move so that the most shortage is removed
 * with the fewest moves. Pure: no I/O.
 *
 * Model (exact):
 * - A move reassigns ONE collector from grid u to grid v; each collector moves at most once, so
 *   at most `assigned(u)` collectors leave u. Shortage after = Σ max(0, need − assigned').
 * - Allowed pairs: grids sharing a boundary ('adjacent', the default, as DOMAIN.md says); with
 *   reach 'community' also any two grids of the same community; with 'street' also any two grids
 *   of the same street.
 * - Objective, lexicographic: (1) most shortage removed, (2) fewest moves, (3) fewest moves
 *   between non-adjacent grids, (4) fewest moves across a community boundary.
 *   With adjacent-only moves a shortage two grids away from a surplus is fixed by a chain:
 *   A's collector moves to B and B's own collector moves to C (2 moves, each to a neighbour).
 *
 * Solved as a min-cost max-flow: source → grid (capacity = surplus), grid → sink (capacity =
 * shortage), grid-in → grid-out (capacity = assigned: "moves at most once"), grid-out → neighbour-in
 * for every allowed pair. Same-community and same-street pairs go through one hub node per area
 * (out → hub costs the move, hub → in is free), so an area of k grids needs 2k edges, not k².
 * The lexicographic objective is one integer cost per move, W_move + W_far·[not adjacent] +
 * W_cross·[other community], with W_cross = 1, W_far = K, W_move = K², K = total assigned + 1.
 * Why that is lexicographic: a plan has at most K − 1 moves (each collector moves once), so its
 * far and cross counts are each ≤ K − 1; one move more costs K² > (K − 1)·K + (K − 1), and one
 * far move more costs K > K − 1. tests/unit/rebalance.test.ts checks it against brute force.
 * The flow is found by the primal-dual method: Dijkstra on reduced costs, then a blocking flow
 * (Dinic) over the zero-reduced-cost edges, repeated until the sink is unreachable.
 */
import { groupBy } from './allocation.ts';
import { PREFIX_LENGTH } from './codes.ts';

export const REBALANCE_REACHES = ['adjacent', 'community', 'street'] as const;
export type RebalanceReach = (typeof REBALANCE_REACHES)[number];

export interface RebalanceGrid {
  code: string;
  fullTimeAssigned: number;
  need: number;
}

export interface RebalanceProblem {
  grids: RebalanceGrid[];
  /** Unordered pairs of grid codes that share a boundary. */
  adjacentPairs: [string, string][];
  reach: RebalanceReach;
}

export interface PlannedMove {
  from: string;
  to: string;
  adjacent: boolean;
  sameCommunity: boolean;
  /** Gaps of both grids just before and just after this move, applying the moves in list order. */
  fromGapBefore: number;
  fromGapAfter: number;
  toGapBefore: number;
  toGapAfter: number;
}

export interface RebalancePlan {
  moves: PlannedMove[];
  shortageBefore: number;
  shortageAfter: number;
  shortageRemoved: number;
  nonAdjacentMoves: number;
  crossCommunityMoves: number;
  /** Gap of every grid after all moves. */
  gapsAfter: Record<string, number>;
}

export const communityOf = (code: string) => code.slice(0, PREFIX_LENGTH.community);
export const streetOf = (code: string) => code.slice(0, PREFIX_LENGTH.street);
const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export function planRebalancing(problem: RebalanceProblem): RebalancePlan {
  const adjacent = new Set(problem.adjacentPairs.map(([a, b]) => pairKey(a, b)));
  const network = buildNetwork(problem, adjacent);
  network.flow.solve(network.source, network.sink);
  const moves = orderMoves(decomposeMoves(network));
  return describePlan(problem.grids, moves, adjacent);
}

// ---------------------------------------------------------------------------------------------
// The flow network

interface MoveEdge {
  edge: number;
  /** Grid index the collectors leave, or -1 when the edge leaves a hub. */
  fromGrid: number;
  /** Grid index the collectors arrive in, or -1 when the edge enters a hub. */
  toGrid: number;
  hub: number;
}

interface Network {
  flow: MinCostFlow;
  source: number;
  sink: number;
  grids: RebalanceGrid[];
  moveEdges: MoveEdge[];
}

function moveWeights(grids: RebalanceGrid[], nodeCount: number) {
  const k = grids.reduce((total, grid) => total + grid.fullTimeAssigned, 0) + 1;
  // Path costs reach at most nodeCount · K²; keep every sum an exact double.
  if (nodeCount * k * k * 4 > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`Too many collectors (${k - 1}) to rebalance ${grids.length} grids in one run; narrow the area`);
  }
  return { move: k * k, far: k, cross: 1 };
}

function buildNetwork(problem: RebalanceProblem, adjacent: Set<string>): Network {
  const { grids } = problem;
  const hubAreas = hubAreasFor(grids, problem.reach);
  const nodeCount = 2 + 2 * grids.length + hubAreas.length;
  const weights = moveWeights(grids, nodeCount);
  const flow = new MinCostFlow(nodeCount);
  const [source, sink] = [0, 1];
  const inNode = (index: number) => 2 + 2 * index;
  const outNode = (index: number) => 3 + 2 * index;
  const hubNode = (index: number) => 2 + 2 * grids.length + index;
  const moveEdges: MoveEdge[] = [];
  const indexOf = new Map(grids.map((grid, index) => [grid.code, index]));

  grids.forEach((grid, index) => {
    const gap = grid.fullTimeAssigned - grid.need;
    if (gap > 0) flow.addEdge(source, inNode(index), gap, 0);
    if (gap < 0) flow.addEdge(inNode(index), sink, -gap, 0);
    if (grid.fullTimeAssigned > 0) flow.addEdge(inNode(index), outNode(index), grid.fullTimeAssigned, 0);
  });
  for (const key of adjacent) {
    const [a, b] = key.split('|').map((code) => indexOf.get(code!));
    if (a === undefined || b === undefined) continue;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const cost = weights.move + (communityOf(grids[from]!.code) === communityOf(grids[to]!.code) ? 0 : weights.cross);
      const edge = flow.addEdge(outNode(from), inNode(to), grids[from]!.fullTimeAssigned, cost);
      moveEdges.push({ edge, fromGrid: from, toGrid: to, hub: -1 });
    }
  }
  hubAreas.forEach((area, hub) => {
    const cost = weights.move + weights.far + (area.level === 'street' ? weights.cross : 0);
    for (const index of area.gridIndexes) {
      const capacity = grids[index]!.fullTimeAssigned;
      moveEdges.push({ edge: flow.addEdge(outNode(index), hubNode(hub), capacity, cost), fromGrid: index, toGrid: -1, hub });
      moveEdges.push({ edge: flow.addEdge(hubNode(hub), inNode(index), flow.unbounded, 0), fromGrid: -1, toGrid: index, hub });
    }
  });
  return { flow, source, sink, grids, moveEdges };
}

interface HubArea {
  level: 'community' | 'street';
  gridIndexes: number[];
}

/** One hub per community (reach community or street) and per street (reach street) with two or more grids. */
function hubAreasFor(grids: RebalanceGrid[], reach: RebalanceReach): HubArea[] {
  const levels: ('community' | 'street')[] = reach === 'street' ? ['community', 'street'] : reach === 'community' ? ['community'] : [];
  const areas: HubArea[] = [];
  for (const level of levels) {
    const areaOf = level === 'community' ? communityOf : streetOf;
    const groups = groupBy(grids.keys(), (index) => areaOf(grids[index]!.code));
    for (const gridIndexes of groups.values()) if (gridIndexes.length > 1) areas.push({ level, gridIndexes });
  }
  return areas;
}

// ---------------------------------------------------------------------------------------------
// From edge flows to single-collector moves

interface RawMove {
  from: string;
  to: string;
}

function decomposeMoves(network: Network): RawMove[] {
  const codeOf = (index: number) => network.grids[index]!.code;
  const moves: RawMove[] = [];
  const hubFlows: (MoveEdge & { count: number })[] = [];
  for (const moveEdge of network.moveEdges) {
    const count = network.flow.flowOn(moveEdge.edge);
    if (count === 0) continue;
    if (moveEdge.hub >= 0) hubFlows.push({ ...moveEdge, count });
    else for (let index = 0; index < count; index += 1) moves.push({ from: codeOf(moveEdge.fromGrid), to: codeOf(moveEdge.toGrid) });
  }
  const toHub = (flow: MoveEdge & { count: number }) => ({ grid: flow.fromGrid, count: flow.count });
  const fromHub = (flow: MoveEdge & { count: number }) => ({ grid: flow.toGrid, count: flow.count });
  const hubIns = groupBy(hubFlows.filter((flow) => flow.toGrid < 0), (flow) => flow.hub);
  const hubOuts = groupBy(hubFlows.filter((flow) => flow.toGrid >= 0), (flow) => flow.hub);
  for (const [hub, outs] of hubOuts) {
    for (const pair of pairThroughHub((hubIns.get(hub) ?? []).map(toHub), outs.map(fromHub))) moves.push({ from: codeOf(pair.from), to: codeOf(pair.to) });
  }
  return moves;
}

/**
 * Matches collectors entering a hub with those leaving it. Any matching has the cost the flow
 * paid; a grid is never matched with itself (an optimal flow never sends a grid's collector
 * back to it, and the matching avoids it where it can).
 */
function pairThroughHub(ins: { grid: number; count: number }[], outs: { grid: number; count: number }[]): { from: number; to: number }[] {
  const pairs: { from: number; to: number }[] = [];
  const remaining = ins.map((entry) => ({ ...entry }));
  for (const out of outs) {
    for (let left = out.count; left > 0; left -= 1) {
      const source = remaining.find((entry) => entry.count > 0 && entry.grid !== out.grid) ?? remaining.find((entry) => entry.count > 0);
      if (!source) break;
      source.count -= 1;
      if (source.grid !== out.grid) pairs.push({ from: source.grid, to: out.grid });
    }
  }
  return pairs;
}

/**
 * Moves into a grid come before moves out of it, so a chain A→B→C reads in the order it is done
 * (Kahn's topological order over grids; ties by code, so the order is stable).
 */
function orderMoves(moves: RawMove[]): RawMove[] {
  const sorted = [...moves].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const pendingArrivals = new Map<string, number>();
  for (const move of sorted) pendingArrivals.set(move.to, (pendingArrivals.get(move.to) ?? 0) + 1);
  const leaving = groupBy(sorted, (move) => move.from);
  const ready = [...leaving.keys()].filter((grid) => !pendingArrivals.get(grid));
  const ordered: RawMove[] = [];
  const emitted = new Set<string>();
  const emit = (grid: string) => {
    emitted.add(grid);
    for (const move of leaving.get(grid) ?? []) {
      ordered.push(move);
      const left = pendingArrivals.get(move.to)! - 1;
      pendingArrivals.set(move.to, left);
      if (left === 0 && leaving.has(move.to)) ready.push(move.to);
    }
  };
  for (let next = 0; next < ready.length; next += 1) emit(ready[next]!);
  // An optimal plan has no cycle of moves; should one appear, its grids go last, in code order.
  for (const grid of leaving.keys()) if (!emitted.has(grid)) emit(grid);
  return ordered;
}

function describePlan(grids: RebalanceGrid[], rawMoves: RawMove[], adjacent: Set<string>): RebalancePlan {
  const gaps: Record<string, number> = Object.fromEntries(grids.map((grid) => [grid.code, grid.fullTimeAssigned - grid.need]));
  const shortageOf = (values: Record<string, number>) => Object.values(values).reduce((total, gap) => total + Math.max(0, -gap), 0);
  const shortageBefore = shortageOf(gaps);
  const moves = rawMoves.map(({ from, to }): PlannedMove => {
    const fromGapBefore = gaps[from]!;
    const toGapBefore = gaps[to]!;
    gaps[from] = fromGapBefore - 1;
    gaps[to] = toGapBefore + 1;
    return {
      from, to, adjacent: adjacent.has(pairKey(from, to)), sameCommunity: communityOf(from) === communityOf(to),
      fromGapBefore, fromGapAfter: gaps[from]!, toGapBefore, toGapAfter: gaps[to]!,
    };
  });
  const shortageAfter = shortageOf(gaps);
  return {
    moves,
    shortageBefore,
    shortageAfter,
    shortageRemoved: shortageBefore - shortageAfter,
    nonAdjacentMoves: moves.filter((move) => !move.adjacent).length,
    crossCommunityMoves: moves.filter((move) => !move.sameCommunity).length,
    gapsAfter: gaps,
  };
}

// ---------------------------------------------------------------------------------------------
// Min-cost max-flow (primal-dual: Dijkstra with potentials, then Dinic on zero-reduced-cost edges)

class MinCostFlow {
  // Arcs are collected in plain arrays, then packed into typed arrays once solving starts.
  private readonly arcs = { to: [] as number[], capacity: [] as number[], cost: [] as number[], from: [] as number[] };
  private head = new Int32Array(0);
  private next = new Int32Array(0);
  private to = new Int32Array(0);
  private capacity = new Int32Array(0);
  private initialCapacity = new Int32Array(0);
  private cost = new Float64Array(0);
  private readonly potential: Float64Array;
  private readonly distance: Float64Array;
  private readonly level: Int32Array;
  private cursor: Int32Array;
  /** Capacity for edges that need none; larger than any flow through them. */
  readonly unbounded = 2 ** 30;

  constructor(private readonly nodeCount: number) {
    this.potential = new Float64Array(nodeCount);
    this.distance = new Float64Array(nodeCount);
    this.level = new Int32Array(nodeCount);
    this.cursor = new Int32Array(nodeCount);
  }

  /** Adds u→v and its residual twin (index + 1); returns the forward edge's index. */
  addEdge(from: number, to: number, capacity: number, cost: number): number {
    const index = this.arcs.to.length;
    this.arcs.from.push(from, to);
    this.arcs.to.push(to, from);
    this.arcs.capacity.push(capacity, 0);
    this.arcs.cost.push(cost, -cost);
    return index;
  }

  private pack(): void {
    this.to = Int32Array.from(this.arcs.to);
    this.capacity = Int32Array.from(this.arcs.capacity);
    this.initialCapacity = Int32Array.from(this.arcs.capacity);
    this.cost = Float64Array.from(this.arcs.cost);
    this.head = new Int32Array(this.nodeCount).fill(-1);
    this.next = new Int32Array(this.to.length);
    this.arcs.from.forEach((from, arc) => {
      this.next[arc] = this.head[from]!;
      this.head[from] = arc;
    });
  }

  flowOn(edge: number): number {
    return this.initialCapacity[edge]! - this.capacity[edge]!;
  }

  solve(source: number, sink: number): void {
    this.pack();
    for (;;) {
      const distance = this.shortestDistances(source, sink);
      const toSink = distance[sink]!;
      if (toSink === Infinity) return;
      for (let node = 0; node < this.nodeCount; node += 1) this.potential[node]! += Math.min(distance[node]!, toSink);
      while (this.levelAdmissible(source, sink)) {
        this.cursor.set(this.head);
        while (this.pushOnePath(source, sink) > 0);
      }
    }
  }

  private reducedCost(from: number, edge: number): number {
    return this.cost[edge]! + this.potential[from]! - this.potential[this.to[edge]!]!;
  }

  /**
   * Reduced-cost distances from the source, exact up to the sink's; Dijkstra stops when the sink
   * is settled, since solve() caps every potential update at the sink's distance anyway.
   */
  private shortestDistances(source: number, sink: number): Float64Array {
    const distance = this.distance.fill(Infinity);
    distance[source] = 0;
    const heap = new MinHeap();
    heap.push(0, source);
    while (heap.size > 0) {
      const [nodeDistance, node] = heap.pop();
      if (nodeDistance > distance[node]!) continue;
      if (node === sink) break;
      for (let edge = this.head[node]!; edge >= 0; edge = this.next[edge]!) {
        if (this.capacity[edge]! <= 0) continue;
        const candidate = nodeDistance + this.reducedCost(node, edge);
        const target = this.to[edge]!;
        if (candidate < distance[target]!) {
          distance[target] = candidate;
          heap.push(candidate, target);
        }
      }
    }
    return distance;
  }

  /**
   * BFS levels over edges with residual capacity and zero reduced cost; true if the sink is
   * reached. Nodes as deep as the sink lead nowhere useful and are not expanded.
   */
  private levelAdmissible(source: number, sink: number): boolean {
    this.level.fill(-1);
    this.level[source] = 0;
    const queue = [source];
    for (let at = 0; at < queue.length; at += 1) {
      const node = queue[at]!;
      if (this.level[sink] !== -1 && this.level[node]! >= this.level[sink]!) break;
      for (let edge = this.head[node]!; edge >= 0; edge = this.next[edge]!) {
        const target = this.to[edge]!;
        if (this.capacity[edge]! > 0 && this.level[target] === -1 && this.reducedCost(node, edge) === 0) {
          this.level[target] = this.level[node]! + 1;
          queue.push(target);
        }
      }
    }
    return this.level[sink] !== -1;
  }

  private isForward(node: number, edge: number): boolean {
    const target = this.to[edge]!;
    return this.capacity[edge]! > 0 && this.level[target] === this.level[node]! + 1 && this.reducedCost(node, edge) === 0;
  }

  /** Finds one source→sink path in the level graph (iteratively, with current-arc pointers) and saturates it. */
  private pushOnePath(source: number, sink: number): number {
    const path: number[] = [];
    let node = source;
    while (node !== sink) {
      let edge = this.cursor[node]!;
      while (edge >= 0 && !this.isForward(node, edge)) edge = this.next[edge]!;
      this.cursor[node] = edge;
      if (edge >= 0) {
        path.push(edge);
        node = this.to[edge]!;
        continue;
      }
      if (node === source) return 0;
      this.level[node] = -1; // dead end: never enter it again in this phase
      const back = path.pop()!;
      node = this.to[back ^ 1]!;
    }
    const amount = Math.min(...path.map((edge) => this.capacity[edge]!));
    for (const edge of path) {
      this.capacity[edge]! -= amount;
      this.capacity[edge ^ 1]! += amount;
    }
    return amount;
  }
}

/** Binary heap of [priority, node] pairs, smallest priority first. */
class MinHeap {
  private readonly priorities: number[] = [];
  private readonly nodes: number[] = [];

  get size(): number {
    return this.nodes.length;
  }

  push(priority: number, node: number): void {
    this.priorities.push(priority);
    this.nodes.push(node);
    let at = this.nodes.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.priorities[parent]! <= this.priorities[at]!) break;
      this.swap(at, parent);
      at = parent;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.priorities[0]!, this.nodes[0]!];
    const lastPriority = this.priorities.pop()!;
    const lastNode = this.nodes.pop()!;
    if (this.nodes.length > 0) {
      this.priorities[0] = lastPriority;
      this.nodes[0] = lastNode;
      this.siftDown();
    }
    return top;
  }

  private siftDown(): void {
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let smallest = at;
      if (left < this.nodes.length && this.priorities[left]! < this.priorities[smallest]!) smallest = left;
      if (right < this.nodes.length && this.priorities[right]! < this.priorities[smallest]!) smallest = right;
      if (smallest === at) return;
      this.swap(at, smallest);
      at = smallest;
    }
  }

  private swap(a: number, b: number): void {
    [this.priorities[a], this.priorities[b]] = [this.priorities[b]!, this.priorities[a]!];
    [this.nodes[a], this.nodes[b]] = [this.nodes[b]!, this.nodes[a]!];
  }
}

// ---------------------------------------------------------------------------------------------
// The proposal as the API returns it (shared with the web app)

export interface MoveEnd {
  code: string;
  name: string;
  /** [lon, lat] for drawing the arrow. */
  centroid: [number, number] | null;
  gapBefore: number;
  gapAfter: number;
}

export interface ProposedMove {
  step: number;
  from: MoveEnd;
  to: MoveEnd;
  adjacent: boolean;
  sameCommunity: boolean;
  /** The collector suggested for the move: the most recently assigned one of the grid it leaves. */
  collector: { id: number; name: string } | null;
}
