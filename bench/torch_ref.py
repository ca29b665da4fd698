#!/usr/bin/env python3
"""PyTorch reference trainer for `npm run bench -- --vs-torch`: the same model, data walk and optimizer as charlm's
benchmark, timed the same way (median of windows after a warm-up). Prints one JSON object on stdout. Not a trainer to use.

Run it as bench/README.md says (bench.ts does this for you):
  env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_ref.py --config M
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# The standard configurations of bench/configs.ts: layers, hidden size, BPTT length, batch size.
CONFIGS = {
    'S': (1, 128, 64, 32),
    'M': (2, 256, 64, 32),
    'L': (2, 512, 128, 64),
}


class CharLSTM(nn.Module):
    """nn.LSTM on one-hot input of size V, then a Linear decoder: the parameter names charlm's model files use."""

    def __init__(self, vocab_size, hidden_size, num_layers):
        super().__init__()
        self.vocab_size = vocab_size
        self.lstm = nn.LSTM(vocab_size, hidden_size, num_layers)
        self.decoder = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids, state):
        # A one-hot float tensor, multiplied as a full matrix product, as PyTorch char-rnn ports do.
        x = F.one_hot(ids, self.vocab_size).float()
        out, state = self.lstm(x, state)
        return self.decoder(out), state


def read_ids(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    symbols = sorted(set(text))  # code-point order, as charlm's Vocab
    index = {s: i for i, s in enumerate(symbols)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    return ids, len(symbols)


def stream_chunks(train, B, T):
    """B contiguous streams walked T characters at a time (charlm's src/text/batches.ts): chunk c of stream b starts at
    b·L + c·T, where L = ⌊(N − 1) / B⌋ ids per stream and ⌊L / T⌋ chunks per epoch. Inputs, targets: (T, B), time-major."""
    L = (len(train) - 1) // B
    streams = train[:B * L + 1]
    starts = torch.arange(B) * L
    chunks = L // T
    offsets = torch.arange(T)
    c = 0
    while True:
        if c == chunks:
            c = 0
        index = starts[None, :] + c * T + offsets[:, None]  # (T, B)
        yield streams[index], streams[index + 1], c == 0
        c += 1


def make_step(model, train, B, T):
    """One training step of the benchmark's recipe (Adam 2e-3, clip 5, state carried, reset at each epoch); returns the loss."""
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    V = model.vocab_size
    H = model.lstm.hidden_size
    state = None
    chunks = stream_chunks(train, B, T)

    def step():
        nonlocal state
        inputs, targets, epoch_start = next(chunks)
        if epoch_start or state is None:
            state = (torch.zeros(model.lstm.num_layers, B, H), torch.zeros(model.lstm.num_layers, B, H))
        # State carried between chunks, gradients stopped at the chunk boundary (truncated BPTT).
        state = tuple(s.detach() for s in state)
        optimizer.zero_grad(set_to_none=False)
        logits, state = model(inputs, state)
        loss = loss_fn(logits.reshape(T * B, V), targets.reshape(T * B))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        return loss.item()

    return step


def measure_training(model, train, B, T, warmup_seconds, window_seconds, windows, min_warmup_steps):
    step = make_step(model, train, B, T)
    # Warm-up: at least min_warmup_steps and warmup_seconds; its speed sizes the timed windows.
    start = time.perf_counter()
    warm_steps = 0
    while warm_steps < min_warmup_steps or time.perf_counter() - start < warmup_seconds:
        step()
        warm_steps += 1
    seconds_per_step = (time.perf_counter() - start) / warm_steps
    steps_per_window = max(1, round(window_seconds / seconds_per_step))

    rates = []
    loss = float('nan')
    for _ in range(windows):
        t0 = time.perf_counter()
        for _ in range(steps_per_window):
            loss = step()
        rates.append(steps_per_window * T * B / (time.perf_counter() - t0))
    return {
        'charsPerSec': statistics.median(rates),
        'windowCharsPerSec': rates,
        'stepsPerWindow': steps_per_window,
        'warmupSteps': warm_steps,
        'lastLossNats': loss,
    }


@torch.no_grad()
def validation_loss(model, val, T, streams=32):
    """Nats per character on the held-out tail as charlm's trainer scores it (src/decode/scoring.ts): the text cut into
    `streams` contiguous streams, each from a zero state, walked T characters at a time with the state carried."""
    V = model.vocab_size
    H = model.lstm.hidden_size
    L = model.lstm.num_layers
    P = len(val) - 1
    S = min(streams, P)
    per = -(-P // S)  # predictions per stream, the last stream may have fewer
    state = (torch.zeros(L, S, H), torch.zeros(L, S, H))
    nats, chars = 0.0, 0
    for start in range(0, per, T):
        Tc = min(T, per - start)
        pos = torch.arange(S)[None, :] * per + start + torch.arange(Tc)[:, None]  # (Tc, S)
        real = (pos < P).reshape(-1)
        pos = pos.clamp(max=P - 1)
        logits, state = model(val[pos], state)
        losses = F.cross_entropy(logits.reshape(-1, V), val[pos + 1].reshape(-1), reduction='none')
        nats += losses[real].sum().item()
        chars += int(real.sum().item())
    return nats / chars


def measure_quality(model, train, val, B, T, seconds):
    """Trains for `seconds` of wall-clock time with the benchmark's recipe, then scores the validation text once."""
    step = make_step(model, train, B, T)
    start = time.perf_counter()
    steps = 0
    while time.perf_counter() - start < seconds:
        step()
        steps += 1
    trained = time.perf_counter() - start
    return {'seconds': trained, 'steps': steps, 'charsPerSec': steps * T * B / trained,
            'valLoss': validation_loss(model, val, T)}


@torch.no_grad()
def sgemm_peak(seconds=0.5):
    """The machine's single-precision matrix-multiply rate through PyTorch (OpenBLAS): the best of a few square sizes."""
    best = {}
    for n in (512, 1024, 2048):
        a, b, c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
        torch.mm(a, b, out=c)
        reps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            torch.mm(a, b, out=c)
            reps += 1
        best[n] = 2 * n ** 3 * reps / (time.perf_counter() - start) / 1e9
    return {'gflopsPerSec': max(best.values()), 'bySize': best}


@torch.no_grad()
def measure_generation(model, chars, warmup_chars):
    """Batch 1, temperature 1: one LSTM step, decoder, softmax, one multinomial draw per character."""
    V = model.vocab_size
    H = model.lstm.hidden_size
    state = (torch.zeros(model.lstm.num_layers, 1, H), torch.zeros(model.lstm.num_layers, 1, H))
    ids = torch.zeros(1, 1, dtype=torch.long)

    def run(n):
        nonlocal state, ids
        for _ in range(n):
            logits, state = model(ids, state)
            probs = torch.softmax(logits.reshape(1, V), dim=1)
            ids = torch.multinomial(probs, 1).reshape(1, 1)

    run(warmup_chars)
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        run(chars)
        rates.append(chars / (time.perf_counter() - t0))
    return {'charsPerSec': statistics.median(rates), 'windowCharsPerSec': rates}


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--corpus', default=os.path.join(os.path.dirname(__file__), '..', 'corpora', 'tinyshakespeare.txt'))
    p.add_argument('--config', choices=sorted(CONFIGS), default='M')
    p.add_argument('--omp-threads', type=int, default=1, help='torch.set_num_threads (OpenMP); BLAS threads come from OPENBLAS_NUM_THREADS')
    p.add_argument('--warmup-seconds', type=float, default=2.0)
    p.add_argument('--window-seconds', type=float, default=1.5)
    p.add_argument('--windows', type=int, default=5)
    p.add_argument('--min-warmup-steps', type=int, default=3)
    p.add_argument('--generate-chars', type=int, default=0, help='also time generation at batch 1 over this many characters')
    p.add_argument('--train-seconds', type=float, default=0,
                   help='instead of timing windows: train this long, then report the validation loss')
    p.add_argument('--sgemm-peak', action='store_true', help='instead: measure the sgemm rate of the BLAS torch uses')
    p.add_argument('--seed', type=int, default=1)
    args = p.parse_args()

    torch.set_num_threads(args.omp_threads)
    torch.manual_seed(args.seed)
    if args.sgemm_peak:
        json.dump({'peer': 'pytorch', 'blasThreads': os.environ.get('OPENBLAS_NUM_THREADS'), 'sgemm': sgemm_peak()}, sys.stdout)
        sys.stdout.write('\n')
        return
    num_layers, hidden_size, T, B = CONFIGS[args.config]
    ids, V = read_ids(args.corpus)
    n_train = len(ids) - int(len(ids) * 0.1)  # first 90 % train, last 10 % validation, as charlm splits
    train, val = ids[:n_train], ids[n_train:]
    model = CharLSTM(V, hidden_size, num_layers)
    if args.train_seconds > 0:
        quality = measure_quality(model, train, val, B, T, args.train_seconds)
        json.dump({'peer': 'pytorch', 'torchVersion': torch.__version__, 'config': args.config, 'vocabSize': V,
                   'ompThreads': torch.get_num_threads(), 'blasThreads': os.environ.get('OPENBLAS_NUM_THREADS'),
                   'quality': quality}, sys.stdout)
        sys.stdout.write('\n')
        return

    result = {
        'peer': 'pytorch',
        'torchVersion': torch.__version__,
        'config': args.config,
        'vocabSize': V,
        'ompThreads': torch.get_num_threads(),
        'blasThreads': os.environ.get('OPENBLAS_NUM_THREADS'),
        'openblasCoretype': os.environ.get('OPENBLAS_CORETYPE'),
        'train': measure_training(model, train, B, T, args.warmup_seconds, args.window_seconds, args.windows,
                                  args.min_warmup_steps),
    }
    if args.generate_chars > 0:
        result['generate'] = measure_generation(model, args.generate_chars, min(200, args.generate_chars))
    try:
        import resource
        result['maxRssBytes'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except ImportError:
        pass
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
