#!/usr/bin/env python3
"""charlm models in PyTorch: build the module from a `charlm export` file, score and sample with it, train it with
DistributedDataParallel, and save it back as safetensors for `charlm import`.

The module is charlm's network exactly: one-hot input, nn.LSTM / nn.GRU / nn.RNN under charlm's tensor names
(lstm.weight_ih_l0 ... decoder.bias), dropout between layers and before the decoder, an nn.Linear decoder. Training
uses charlm's corpus encoding (the export's vocabulary; characters outside it are refused) and its truncated-BPTT
batching: B contiguous streams walked T characters at a time with the state carried, split among the processes.

Launch (see the README, "When one machine is not enough"):
  python3 charlm_torch.py train model.safetensors corpus.txt -o trained.safetensors              # one process
  python3 charlm_torch.py train model.safetensors corpus.txt -o trained.safetensors --nproc 2    # spawn on 127.0.0.1
  torchrun --nproc_per_node=8 charlm_torch.py train model.safetensors corpus.txt -o trained.safetensors
Needs only PyTorch (1.13 or newer); no safetensors package (the format is read and written here).
"""
import argparse
import ctypes
import datetime
import json
import math
import os
import struct
import sys
import tempfile
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

# ---- safetensors (the same layout as charlm's src/model-file/safetensors.ts) ----

DTYPES = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16}
DTYPE_BYTES = {'F32': 4, 'F16': 2, 'BF16': 2}
MAX_HEADER_BYTES = 100_000_000


class ExportError(Exception):
    """A file, text or setting this module cannot use; main() prints it as one line."""


def read_safetensors(path):
    """(tensors as float32 in file order, metadata dict). Checks lengths and offsets against the file's real size."""
    with open(path, 'rb') as f:
        blob = f.read()
    if len(blob) < 8:
        raise ExportError(f'{path} is not a safetensors file')
    (n,) = struct.unpack('<Q', blob[:8])
    if n > len(blob) - 8 or n > MAX_HEADER_BYTES:
        raise ExportError(f'{path} is not a safetensors file: header length {n} in a file of {len(blob)} bytes')
    header = json.loads(blob[8:8 + n].decode('utf-8'))
    metadata = header.pop('__metadata__', {}) or {}
    data = memoryview(blob)[8 + n:]
    tensors = {}
    at = 0
    for name, e in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
        begin, end = e['data_offsets']
        dtype = e['dtype']
        if dtype not in DTYPES:
            raise ExportError(f'{path}: tensor {name!r} has dtype {dtype}; only F32, F16 and BF16 are read')
        if begin != at or end > len(data) or end - begin != DTYPE_BYTES[dtype] * math.prod(e['shape']):
            raise ExportError(f'{path} is damaged: tensor {name!r} has bad data_offsets')
        at = end
        raw = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[dtype]) if end > begin else torch.zeros(0, dtype=DTYPES[dtype])
        tensors[name] = raw.reshape(e['shape']).float()
    if at != len(data):
        raise ExportError(f'{path} is damaged: its tensors do not cover its data')
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    """Writes float32 tensors in the given order with charlm's canonical header: compact JSON, "__metadata__" first,
    padded with spaces to 8 bytes, so the same weights and metadata give the same bytes as `charlm export`.
    The file appears atomically (a temporary file, then a rename)."""
    header = {}
    if metadata:
        header['__metadata__'] = dict(metadata)
    chunks = []
    offset = 0
    for name, t in tensors.items():
        b = t.detach().to('cpu', torch.float32).contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    padded = -(-(8 + len(text)) // 8) * 8 - 8
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', padded))
        f.write(text + b' ' * (padded - len(text)))
        for b in chunks:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---- the model ----

MODULES = {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN, 'rnn-relu': nn.RNN}
CONFIG_FIELDS = {'cell', 'numLayers', 'hiddenSize', 'dropout', 'vocabSize', 'projSize'}
BOS, EOS = 0, 1  # line mode's reserved ids


class Vocab:
    """charlm's vocabulary: one symbol per code point, sorted; line mode puts <start> = 0 and <end> = 1 first."""

    def __init__(self, symbols, line_mode):
        self.symbols = list(symbols)
        self.line_mode = bool(line_mode)
        self.offset = 2 if self.line_mode else 0
        self.size = len(self.symbols) + self.offset
        self.index = {s: i + self.offset for i, s in enumerate(self.symbols)}

    def _ids(self, text):
        missing = sorted({c for c in text if c not in self.index})
        if missing:
            shown = ', '.join(json.dumps(c) for c in missing[:10])
            raise ExportError(f'the text has {len(missing)} characters not in the vocabulary: {shown}')
        return [self.index[c] for c in text]

    def encode(self, text):
        """The ids charlm trains and scores on: every code point; in line mode <start>, line, <end> per non-empty line
        (lines end at "\\n"; a "\\r" right before it or at the very end is dropped)."""
        if not self.line_mode:
            return torch.tensor(self._ids(text), dtype=torch.long)
        ids = []
        for line in text.split('\n'):
            if line.endswith('\r'):
                line = line[:-1]
            if line:
                ids += [BOS, *self._ids(line), EOS]
        return torch.tensor(ids, dtype=torch.long)

    def decode(self, ids):
        return ''.join(self.symbols[i - self.offset] if i >= self.offset else '' for i in ids)


class CharLM(nn.Module):
    """charlm's network; its state_dict names are the export's tensor names."""

    def __init__(self, config):
        super().__init__()
        unknown = set(config) - CONFIG_FIELDS
        if unknown:
            raise ExportError(f'the export has config fields this charlm_torch does not know: {sorted(unknown)}; update it')
        self.config = dict(config)
        self.cell = config['cell']
        if self.cell not in MODULES:
            raise ExportError(f'unknown cell {self.cell!r}')
        self.vocab_size = config['vocabSize']
        self.num_layers = config['numLayers']
        self.hidden_size = config['hiddenSize']
        # An LSTM with a projection (charlm's projSize) hands on h of proj_size units; c keeps hidden_size.
        self.output_size = config.get('projSize') or self.hidden_size
        kwargs = {'nonlinearity': 'relu' if self.cell == 'rnn-relu' else 'tanh'} if self.cell.startswith('rnn') else {}
        if config.get('projSize'):
            kwargs['proj_size'] = config['projSize']
        self.module_name = 'rnn' if self.cell.startswith('rnn') else self.cell
        # nn.LSTM's dropout acts between layers; charlm also drops the top layer's output, before the decoder.
        setattr(self, self.module_name, MODULES[self.cell](self.vocab_size, self.hidden_size, self.num_layers,
                                                            dropout=config['dropout'], **kwargs))
        self.drop = nn.Dropout(config['dropout'])
        self.decoder = nn.Linear(self.output_size, self.vocab_size)

    @property
    def rnn_module(self):
        return getattr(self, self.module_name)

    def zero_state(self, batch, device):
        h = torch.zeros(self.num_layers, batch, self.output_size, device=device)
        c = torch.zeros(self.num_layers, batch, self.hidden_size, device=device)
        return (h, c) if self.cell == 'lstm' else h

    def forward(self, ids, state, restarts=None):
        """ids (T, B) → logits (T, B, V) and the state after the last step. restarts (T, B) bool, or None: a row marked
        at step t runs that step from the zero state (line mode's <start>, the stream resets), as charlm restarts it; no
        gradient flows into the state it had. The steps between restarts run as one call of the recurrent module."""
        x = F.one_hot(ids, self.vocab_size).float()
        times = [] if restarts is None else restarts.any(1).nonzero().flatten().tolist()
        outs, start = [], 0
        for t in times + [ids.shape[0]]:
            if t > start:
                o, state = self.rnn_module(x[start:t], state)
                outs.append(o)
            if t < ids.shape[0]:
                state = mask_rows(state, (~restarts[t]).to(x.dtype)[None, :, None])
            start = t
        return self.decoder(self.drop(torch.cat(outs))), state


def line_restarts(ids, line_mode):
    """Line mode: every row restarts at each <start> it reads. None outside line mode."""
    return ids == BOS if line_mode else None


def mask_rows(state, keep):
    """The state with the rows where keep (1, B, 1) is 0 set to the zero start state."""
    return tuple(s * keep for s in state) if isinstance(state, tuple) else state * keep


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def load(path, device='cpu'):
    """(model, vocab, metadata) from a `charlm export` file; the tensors must be exactly the model's."""
    tensors, metadata = read_safetensors(path)
    if metadata.get('format') != 'charlm' or 'config' not in metadata or 'vocab' not in metadata:
        raise ExportError(f'{path} has no charlm metadata (format, config, vocab); write it with charlm export')
    if metadata.get('version') != '1':
        raise ExportError(f'{path} is in charlm export layout {metadata.get("version")!r}; this charlm_torch reads "1"')
    config = json.loads(metadata['config'])
    v = json.loads(metadata['vocab'])
    vocab = Vocab(v['symbols'], v['lineMode'])
    model = CharLM(config)
    expected = model.state_dict()
    if set(tensors) != set(expected) or any(tensors[k].shape != expected[k].shape for k in expected):
        raise ExportError(f'{path} holds tensors {sorted(tensors)} that do not match the model\'s {sorted(expected)}')
    model.load_state_dict(tensors)
    return model.to(device), vocab, metadata


def save(model, metadata, path):
    """The model as charlm export writes it: its tensors in parameter order, the export's metadata unchanged."""
    write_safetensors(path, dict(model.state_dict()), metadata)


# ---- scoring and sampling ----

@torch.no_grad()
def score_ids(model, ids, line_mode, chunk=256):
    """(total nats, predictions) over ids in one stream from the zero state, as `charlm eval --streams 1`: every id after
    the first is predicted from all before it; in line mode <start> targets are not counted (after <end> it is certain)."""
    model.eval()
    device = next(model.parameters()).device
    ids = ids.to(device)
    state = model.zero_state(1, device)
    nats = torch.zeros((), dtype=torch.float64, device=device)
    count = 0
    for start in range(0, len(ids) - 1, chunk):
        x = ids[start:start + chunk + 1]
        logits, state = model(x[:-1, None], state, line_restarts(x[:-1, None], line_mode))
        losses = F.cross_entropy(logits[:, 0].double(), x[1:], reduction='none')
        keep = x[1:] != BOS if line_mode else torch.ones_like(x[1:], dtype=torch.bool)
        nats += losses[keep].sum()
        count += int(keep.sum())
    return float(nats), count


@torch.no_grad()
def sample(model, vocab, length, temperature=1.0, prime='', generator=None):
    model.eval()
    device = next(model.parameters()).device
    state = model.zero_state(1, device)
    # Line mode starts an item with <start>; otherwise the prime, or (not shown) a line break, gives the first input.
    context = prime
    if not vocab.line_mode and not prime:
        if '\n' not in vocab.index:
            raise ExportError('this model has no line break to start from; give a --prime')
        context = '\n'
    ids = ([BOS] if vocab.line_mode else []) + vocab._ids(context)
    logits, state = model(torch.tensor(ids, device=device)[:, None], state)
    out = []
    for _ in range(length):
        probs = torch.softmax(logits[-1, 0] / temperature, dim=0)
        nxt = int(torch.multinomial(probs.cpu(), 1, generator=generator))
        if vocab.line_mode and nxt == EOS:
            break
        out.append(nxt)
        logits, state = model(torch.tensor([[nxt]], device=device), state)
    return prime + vocab.decode(out)


# ---- distributed training ----

def stream_batches(ids, B, T, rank, world):
    """charlm's src/text/batches.ts for this process: B streams of L = ⌊(N − 1) / B⌋ ids, stream b = ids[b·L, (b+1)·L];
    this process takes streams [rank·B/world, (rank+1)·B/world). Yields (inputs, targets) (T, B/world) and whether a new
    epoch starts (the state then goes back to zero), forever."""
    L = (len(ids) - 1) // B
    chunks = L // T  # at least 1: prepare() checked the length
    share = B // world
    starts = torch.arange(rank * share, (rank + 1) * share) * L
    offsets = torch.arange(T)[:, None]
    c = 0
    while True:
        index = starts[None, :] + c * T + offsets
        yield ids[index], ids[index + 1], c == 0
        c = (c + 1) % chunks


def learning_rate(base, step, total, schedule, min_fraction=0.1):
    """charlm's cosine decay to min_fraction of the base rate over the run (src/optim/schedule.ts), or constant."""
    if schedule == 'constant' or total <= 0:
        return base
    lo = base * min_fraction
    return lo + (base - lo) * 0.5 * (1 + math.cos(math.pi * min(1.0, step / total)))


def split_ids(vocab, args, generator):
    """(train ids, validation ids): --val FILE, or the last --val-frac of the text as charlm splits it (line mode
    shuffles its items first, as charlm does, though with PyTorch's random numbers)."""
    ids = vocab.encode(read_text(args.text, vocab))
    if vocab.line_mode:
        starts = (ids == BOS).nonzero().flatten().tolist() + [len(ids)]
        items = [ids[starts[i]:starts[i + 1]] for i in range(len(starts) - 1)]
        ids = torch.cat([items[i] for i in torch.randperm(len(items), generator=generator).tolist()])
    if args.val is not None:
        return ids, vocab.encode(read_text(args.val, vocab))
    n_train = len(ids) - math.floor(len(ids) * args.val_frac)
    return ids[:n_train], ids[n_train:]


def read_text(path, vocab):
    """A UTF-8 text as charlm reads it: a byte-order mark dropped, and CRLF line endings read as LF unless the
    vocabulary has "\r" (a model trained with charlm train --keep-cr), as charlm eval decides."""
    with open(path, 'rb') as f:
        raw = f.read()
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        raise ExportError(f'{path} is not valid UTF-8 text (byte offset {e.start})') from None
    return text if '\r' in vocab.index else text.replace('\r\n', '\n')


def log(rank, record):
    if rank == 0:
        print(json.dumps(record), flush=True)


def prepare(args, world, device='cpu'):
    """The model and the encoded texts, every input checked (the spawn launcher calls it once before starting the
    processes, so a bad input is one message, not one per process)."""
    model, vocab, metadata = load(args.model, device)
    if args.batch_size < 1 or args.batch_size % world != 0:
        raise ExportError(f'--batch-size {args.batch_size} must be a positive multiple of the {world} processes')
    train_ids, val_ids = split_ids(vocab, args, torch.Generator().manual_seed(args.seed))
    if (len(train_ids) - 1) // args.batch_size < args.seq_length:
        raise ExportError(f'the training text has {len(train_ids)} symbols; {args.batch_size} streams × '
                          f'{args.seq_length} steps need at least {args.batch_size * args.seq_length + 1}')
    return model, vocab, metadata, train_ids, val_ids


def train(rank, world, local_rank, args, keep):
    """One process of the run: its share of the streams, gradients averaged across processes by DDP. The DDP wrapper
    goes into `keep` (see run_worker for why it must outlive this function)."""
    distributed = world > 1
    use_cuda = torch.cuda.is_available() and not args.cpu
    device = torch.device(f'cuda:{local_rank}' if use_cuda else 'cpu')
    if distributed:
        # A collective that waits longer than --timeout (a process died or hangs) fails instead of waiting forever.
        init = f'file://{args.rendezvous}' if args.rendezvous else 'env://'
        dist.init_process_group('nccl' if use_cuda else 'gloo', init_method=init, rank=rank, world_size=world,
                                timeout=datetime.timedelta(seconds=args.timeout))
    model, vocab, metadata, train_ids, val_ids = prepare(args, world, device)
    torch.manual_seed(args.seed + rank)  # dropout masks differ per process, as their streams do
    net = nn.parallel.DistributedDataParallel(model, device_ids=[local_rank] if use_cuda else None) if distributed else model
    keep.append(net)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    batches = stream_batches(train_ids, args.batch_size, args.seq_length, rank, world)
    state = None
    val_loss = None
    start = time.time()
    for step in range(args.steps):
        inputs, targets, epoch_start = next(batches)
        if epoch_start or state is None:
            state = model.zero_state(inputs.shape[1], device)
        restarts = stream_restarts(args, step, rank, inputs, vocab)
        model.train()
        for g in optimizer.param_groups:
            g['lr'] = learning_rate(args.lr, step, args.steps, args.schedule)
        logits, state = net(inputs.to(device), detach(state), restarts.to(device))
        loss = F.cross_entropy(logits.reshape(-1, model.vocab_size), targets.to(device).reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        last = step + 1 == args.steps
        if last or (args.eval_every > 0 and (step + 1) % args.eval_every == 0):
            train_loss = loss.detach().clone()
            if distributed:  # the mean over all streams, as the gradients are
                dist.all_reduce(train_loss)
                train_loss /= world
            val_loss = validate(model, val_ids, vocab.line_mode) if rank == 0 else None
            log(rank, {'step': step + 1, 'trainLoss': train_loss.item(), 'valLoss': val_loss, 'processes': world,
                       'elapsedSeconds': round(time.time() - start, 3)})
            if rank == 0:
                save(model, metadata, args.output)
    if rank == 0:
        if args.steps == 0:
            save(model, metadata, args.output)
        log(rank, {'done': True, 'output': args.output, 'steps': args.steps, 'valLoss': val_loss, 'processes': world})


def stream_restarts(args, step, rank, inputs, vocab):
    """Where the rows of this (T, B) chunk restart from the zero state, as charlm's trainer decides (its
    src/train/stream-resets.ts): every <start> in line mode, and --stream-resets: each of the B streams is chosen with
    probability args.stream_resets and restarts at the first line start of its chunk (<start> in line mode, else a line
    break), or at step 0 when it reads none. The draw depends only on (seed, step), for all B streams (PyTorch's random
    numbers, not charlm's); this process keeps its own rows."""
    T, share = inputs.shape
    draw = torch.rand(args.batch_size, generator=torch.Generator().manual_seed(args.seed * 1_000_003 + step))
    chosen = (draw[rank * share:(rank + 1) * share] < args.stream_resets).nonzero().flatten()
    line_start = BOS if vocab.line_mode else vocab.index.get('\n')
    starts = inputs == line_start if line_start is not None else torch.zeros_like(inputs, dtype=torch.bool)
    first = torch.where(starts.any(0), starts.float().argmax(0), torch.zeros(share, dtype=torch.long))
    restarts = torch.zeros_like(inputs, dtype=torch.bool)
    restarts[first[chosen], chosen] = True
    line = line_restarts(inputs, vocab.line_mode)
    return restarts if line is None else restarts | line


def validate(model, val_ids, line_mode):
    """Nats per character on the validation ids, scored exactly as `charlm eval --streams 1` would (by rank 0 alone:
    the others go on and wait for it in the next step's gradient exchange)."""
    if len(val_ids) < 2:
        return None
    nats, count = score_ids(model, val_ids, line_mode)
    return nats / max(count, 1)


def die_with_parent():
    """Linux: this process gets SIGTERM when the launcher dies, so a killed run leaves no training process behind."""
    try:
        ctypes.CDLL('libc.so.6').prctl(1, 15)  # PR_SET_PDEATHSIG, SIGTERM
    except (OSError, AttributeError):
        pass


def run_worker(rank, world, local_rank, args):
    """Trains, and ends a distributed process with os._exit once its output is flushed: in PyTorch 1.13, freeing the
    DistributedDataParallel wrapper (at a function's return or at exit) destroys its gloo process group, which joins a
    worker thread that may be waiting for the interpreter lock the destructor holds, and the process hangs. Everything
    the run writes is flushed and renamed into place before this."""
    keep = []
    code = 0
    try:
        train(rank, world, local_rank, args, keep)
    except (ExportError, OSError, ValueError, KeyError) as e:
        print(f'charlm_torch: {e}', file=sys.stderr)
        code = 1
    if world > 1:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    if code:
        sys.exit(code)


def spawned(rank, world, args):
    die_with_parent()
    torch.set_num_threads(args.threads)
    run_worker(rank, world, rank, args)


def run_train(args):
    if 'RANK' in os.environ and 'WORLD_SIZE' in os.environ:  # started by torchrun (or any env:// launcher)
        if args.nproc is not None:
            raise ExportError('--nproc starts its own processes; do not combine it with torchrun')
        run_worker(int(os.environ['RANK']), int(os.environ['WORLD_SIZE']), int(os.environ.get('LOCAL_RANK', 0)), args)
    elif args.nproc is not None and args.nproc > 1:
        # torch.multiprocessing.spawn on this machine: the works-everywhere launcher (Debian's torchrun of PyTorch 1.13
        # fails on Python 3.11 before starting any worker). The processes meet through a file rather than a port chosen
        # in advance (which another program could take first); gloo then connects them over 127.0.0.1.
        if 'GLOO_SOCKET_IFNAME' not in os.environ and os.path.exists('/sys/class/net/lo'):
            os.environ['GLOO_SOCKET_IFNAME'] = 'lo'  # Linux's loopback, 127.0.0.1
        args.threads = args.threads or max(1, (os.cpu_count() or 1) // args.nproc)
        prepare(args, args.nproc)
        with tempfile.TemporaryDirectory(prefix='charlm-torch-') as tmp:
            args.rendezvous = os.path.join(tmp, 'rendezvous')
            spawn_workers(args)
    else:
        if args.threads:
            torch.set_num_threads(args.threads)
        run_worker(0, 1, 0, args)


def spawn_workers(args):
    try:
        torch.multiprocessing.spawn(spawned, args=(args.nproc, args), nprocs=args.nproc, join=True)
    except torch.multiprocessing.ProcessExitedException:
        sys.exit(1)  # the process has said why on stderr
    except torch.multiprocessing.ProcessRaisedException as e:
        raise ExportError(f'training process {e.error_index} failed: {str(e).strip().splitlines()[-1]}') from None


# ---- command line ----

def main(argv=None):
    p = argparse.ArgumentParser(prog='charlm_torch.py', description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='command', required=True)
    s = sub.add_parser('score', help='nats and bits per character of a text, as charlm eval --streams 1')
    s.add_argument('model')
    s.add_argument('text')
    g = sub.add_parser('sample', help='sample text')
    g.add_argument('model')
    g.add_argument('--length', type=int, default=200)
    g.add_argument('--temperature', type=float, default=1.0)
    g.add_argument('--prime', default='')
    g.add_argument('--seed', type=int, default=1)
    t = sub.add_parser('train', help='continue training with DistributedDataParallel and save as safetensors')
    t.add_argument('model', help='a charlm export (.safetensors)')
    t.add_argument('text', help='the training text (UTF-8)')
    t.add_argument('-o', '--output', required=True, help='where the trained model goes (safetensors, for charlm import)')
    t.add_argument('--steps', type=int, default=1000)
    t.add_argument('--batch-size', type=int, default=32, help='streams in all, shared among the processes')
    t.add_argument('--seq-length', type=int, default=64, help='BPTT length T')
    t.add_argument('--lr', type=float, default=4e-3)
    t.add_argument('--schedule', choices=['cosine', 'constant'], default='cosine')
    t.add_argument('--clip', type=float, default=5.0)
    t.add_argument('--stream-resets', type=float, default=0.03,
                   help="share of the streams restarted from the zero state at each step, at the first line break of their chunk (charlm's --stream-resets)")
    t.add_argument('--val', help='a validation text (default: the last --val-frac of the training text)')
    t.add_argument('--val-frac', type=float, default=0.1)
    t.add_argument('--eval-every', type=int, default=250)
    t.add_argument('--seed', type=int, default=1)
    t.add_argument('--nproc', type=int, help='start N processes on this machine (torch.multiprocessing.spawn, 127.0.0.1)')
    t.add_argument('--threads', type=int, default=0, help='CPU threads per process (default: cores / processes)')
    t.add_argument('--cpu', action='store_true', help='train on the CPU even where CUDA is present')
    t.add_argument('--timeout', type=float, default=1800, help='seconds a process waits for the others before failing')
    args = p.parse_args(argv)
    args.rendezvous = None
    try:
        if args.command == 'score':
            model, vocab, _ = load(args.model)
            nats, count = score_ids(model, vocab.encode(read_text(args.text, vocab)), vocab.line_mode)
            print(json.dumps({'chars': count, 'natsPerChar': nats / count, 'bitsPerChar': nats / count / math.log(2)}))
        elif args.command == 'sample':
            model, vocab, _ = load(args.model)
            print(sample(model, vocab, args.length, args.temperature, args.prime, torch.Generator().manual_seed(args.seed)))
        else:
            run_train(args)
    except (ExportError, OSError, ValueError, KeyError) as e:
        print(f'charlm_torch: {e}', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
