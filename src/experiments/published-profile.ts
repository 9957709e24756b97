/**
 * The cost profile of the experiments that are compared with published figures (notebooks 02 and 04:
 * the kernel test robot's 2023 report on the RFC, the 2016 and 2023 ksoftirqd figures). Those figures
 * come from bare-metal servers, so these experiments name the reference table (orders of magnitude
 * from published figures, profiles/reference-published.json) instead of relying on the default,
 * which is meant to describe the kit's own machine kind: the table measured there
 * (profiles/kvm-epyc-2cpu-traced.json, a virtual machine whose IPIs and timer interrupts cost ten
 * times more) is to become the default once the model meets that machine's measurements.
 */
export const PUBLISHED_PROFILE = "reference-published";
