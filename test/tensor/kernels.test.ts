// Runs the kernel case table (kernel-cases.ts) against every Kernels implementation available here.
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { runKernelCases } from './kernel-cases.js';

runKernelCases('reference', (dtype) => createReferenceKernels(dtype));
