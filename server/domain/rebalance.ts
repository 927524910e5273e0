/**
 * Rebalancing proposal: which full-time collectors to move so that the most shortage is removed
 * with the fewest moves. Pure: no I/O.
 *
 * Model (exact):
 * - A move sends ONE full-time collector directly from one grid to another at most `reach` hops
 *   away over shared-boundary adjacency. Moves are direct, never relayed: a grid either gives or
 *   receives, never both, so no move fills a grid that a later move empties again.
 * - Shortage after = Σ max(0, need − assigned'). Taking a collector out of a grid that is not in
 *   surplus adds one unit of shortage there and removes at most one elsewhere, and a grid receiving
 *   more than it lacks gains nothing; so an optimal plan with the fewest moves only moves surplus
 *   collectors into short grids, each move removing exactly one unit of shortage.
 * - Objective, lexicographic: (1) most shortage removed; (2) fewest moves; (3) worst-off grids
 *   first: least Σ (remaining shortage)² over the grids, so a grid short by 3 is helped before
 *   one short by 1; (4) fewest hops in all; (5) fewest moves across a community boundary.
 *
 * Solved as a min-cost max-flow on a bipartite network: source → surplus grid (capacity = its
 * surplus), surplus grid → short grid within reach (cost hops·H + [other community]), short grid →
 * sink as one unit edge per missing collector, the k-th costing (2k − 1) + 2(S − s) for a grid
 * short by s (S = the largest shortage, so every cost is positive and convex in k). Filling x of a
 * grid's s costs x² + 2x(S − s) = (s − x)² − s² + 2xS: with the flow (the number of moves) fixed,
 * the total is Σ remaining² plus a constant. With M = total surplus (the most moves a plan has) and
 * R = reach, H = M + 1 > any plan's cross-community count and Q = M·R·H + M + 1 > any plan's
 * hop-and-community cost, so one integer cost per unit, equity·Q + hops·H + cross, orders plans
 * lexicographically. tests/unit/rebalance.test.ts checks plans against every set of moves.
 * The flow is found by the primal-dual method (successive shortest paths, batched): Dijkstra on
 * reduced costs, then a blocking flow (Dinic) over the zero-reduced-cost edges, repeated until
 * the sink is unreachable.
 */
import { PREFIX_LENGTH } from './codes.ts';

/** How many hops over shared boundaries a collector may be moved: 1 = next door only. */
export const REBALANCE_REACH = { default: 3, min: 1, max: 10 } as const;

export interface RebalanceGrid {
  code: string;
  fullTimeAssigned: number;
  need: number;
}

export interface RebalanceProblem {
  grids: RebalanceGrid[];
  /** Unordered pairs of grid codes that share a boundary. */
  adjacentPairs: [string, string][];
  /** The most hops over shared boundaries between the grid a collector leaves and the one they join. */
  reach: number;
}

export interface PlannedMove {
  from: string;
  to: string;
  /** Hops over shared boundaries from `from` to `to` (1 = neighbours). */
  hops: number;
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
  /** Σ max(0, assigned − need) before any move: what could be moved at all. */
  surplusBefore: number;
  totalHops: number;
  nonAdjacentMoves: number;
  crossCommunityMoves: number;
  /** Gap of every grid after all moves. */
  gapsAfter: Record<string, number>;
}

export const communityOf = (code: string) => code.slice(0, PREFIX_LENGTH.community);

export function planRebalancing(problem: RebalanceProblem): RebalancePlan {
  const network = buildNetwork(problem);
  network.flow.solve(network.source, network.sink);
  return describePlan(problem.grids, movesOf(network));
}

// ---------------------------------------------------------------------------------------------
// Hops over shared boundaries

/** For every surplus grid, the short grids within `reach` hops and how many hops away (breadth-first). */
function reachableShortGrids(problem: RebalanceProblem): Map<number, { grid: number; hops: number }[]> {
  const { grids, reach } = problem;
  const indexOf = new Map(grids.map((grid, index) => [grid.code, index]));
  const neighbours = grids.map((): number[] => []);
  for (const [a, b] of problem.adjacentPairs) {
    const [first, second] = [indexOf.get(a), indexOf.get(b)];
    if (first === undefined || second === undefined || first === second) continue;
    neighbours[first]!.push(second);
    neighbours[second]!.push(first);
  }
  const gapOf = (index: number) => grids[index]!.fullTimeAssigned - grids[index]!.need;
  const reachable = new Map<number, { grid: number; hops: number }[]>();
  grids.forEach((_, start) => {
    if (gapOf(start) <= 0) return;
    const hops = new Map([[start, 0]]);
    const queue = [start];
    for (let at = 0; at < queue.length; at += 1) {
      const grid = queue[at]!;
      if (hops.get(grid)! >= reach) continue;
      for (const next of neighbours[grid]!) {
        if (hops.has(next)) continue;
        hops.set(next, hops.get(grid)! + 1);
        queue.push(next);
      }
    }
    reachable.set(
      start,
      [...hops].filter(([grid]) => gapOf(grid) < 0).map(([grid, distance]) => ({ grid, hops: distance })),
    );
  });
  return reachable;
}

// ---------------------------------------------------------------------------------------------
// The flow network

interface MoveEdge {
  edge: number;
  fromGrid: number;
  toGrid: number;
  hops: number;
}

interface Network {
  flow: MinCostFlow;
  source: number;
  sink: number;
  grids: RebalanceGrid[];
  moveEdges: MoveEdge[];
}

/** The lexicographic weights (see the top of this file), checked to keep every path cost an exact double. */
function costWeights(grids: RebalanceGrid[], reach: number, nodeCount: number) {
  const totalSurplus = grids.reduce((total, grid) => total + Math.max(0, grid.fullTimeAssigned - grid.need), 0);
  const largestShortage = grids.reduce((largest, grid) => Math.max(largest, grid.need - grid.fullTimeAssigned), 0);
  const hop = totalSurplus + 1;
  const equity = totalSurplus * reach * hop + totalSurplus + 1;
  const largestEdgeCost = 4 * largestShortage * equity + reach * hop + 1;
  if (nodeCount * largestEdgeCost * 4 > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`Too many collectors (${totalSurplus} in surplus) to rebalance ${grids.length} grids in one run; narrow the area or the reach`);
  }
  return { hop, equity, largestShortage };
}

function buildNetwork(problem: RebalanceProblem): Network {
  const { grids, reach } = problem;
  const nodeCount = 2 + grids.length;
  const weights = costWeights(grids, reach, nodeCount);
  const flow = new MinCostFlow(nodeCount);
  const [source, sink] = [0, 1];
  const node = (index: number) => 2 + index;
  const moveEdges: MoveEdge[] = [];
  grids.forEach((grid, index) => {
    const gap = grid.fullTimeAssigned - grid.need;
    if (gap > 0) flow.addEdge(source, node(index), gap, 0);
    // The k-th collector into a grid short by s: cheaper the worse off the grid still is.
    for (let k = 1; k <= -gap; k += 1) flow.addEdge(node(index), sink, 1, weights.equity * (2 * k - 1 + 2 * (weights.largestShortage + gap)));
  });
  for (const [from, targets] of reachableShortGrids(problem)) {
    const surplus = grids[from]!.fullTimeAssigned - grids[from]!.need;
    for (const { grid: to, hops } of targets) {
      const cross = communityOf(grids[from]!.code) === communityOf(grids[to]!.code) ? 0 : 1;
      const capacity = Math.min(surplus, grids[to]!.need - grids[to]!.fullTimeAssigned);
      moveEdges.push({ edge: flow.addEdge(node(from), node(to), capacity, hops * weights.hop + cross), fromGrid: from, toGrid: to, hops });
    }
  }
  return { flow, source, sink, grids, moveEdges };
}

// ---------------------------------------------------------------------------------------------
// From edge flows to single-collector moves

interface RawMove {
  from: string;
  to: string;
  hops: number;
}

/** One move per collector on each surplus → short edge, listed by the grid they leave, then the grid they join. */
function movesOf(network: Network): RawMove[] {
  const codeOf = (index: number) => network.grids[index]!.code;
  return network.moveEdges
    .flatMap((moveEdge) => {
      const move = { from: codeOf(moveEdge.fromGrid), to: codeOf(moveEdge.toGrid), hops: moveEdge.hops };
      return Array.from({ length: network.flow.flowOn(moveEdge.edge) }, () => move);
    })
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

function describePlan(grids: RebalanceGrid[], rawMoves: RawMove[]): RebalancePlan {
  const gaps: Record<string, number> = Object.fromEntries(grids.map((grid) => [grid.code, grid.fullTimeAssigned - grid.need]));
  const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
  const shortageOf = (values: Record<string, number>) => total(Object.values(values).map((gap) => Math.max(0, -gap)));
  const shortageBefore = shortageOf(gaps);
  const surplusBefore = total(Object.values(gaps).map((gap) => Math.max(0, gap)));
  const moves = rawMoves.map(({ from, to, hops }): PlannedMove => {
    const fromGapBefore = gaps[from]!;
    const toGapBefore = gaps[to]!;
    gaps[from] = fromGapBefore - 1;
    gaps[to] = toGapBefore + 1;
    return {
      from,
      to,
      hops,
      adjacent: hops === 1,
      sameCommunity: communityOf(from) === communityOf(to),
      fromGapBefore,
      fromGapAfter: gaps[from],
      toGapBefore,
      toGapAfter: gaps[to],
    };
  });
  const shortageAfter = shortageOf(gaps);
  return {
    moves,
    shortageBefore,
    shortageAfter,
    shortageRemoved: shortageBefore - shortageAfter,
    surplusBefore,
    totalHops: total(moves.map((move) => move.hops)),
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
  /** Hops over shared boundaries from the grid left to the grid joined (1 = neighbours). */
  hops: number;
  adjacent: boolean;
  sameCommunity: boolean;
  /** The collector suggested for the move: the most recently assigned one of the grid it leaves. */
  collector: { id: number; name: string } | null;
}
