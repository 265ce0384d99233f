/*
 * The rule catalogue (DESIGN.md): every rule module, in catalogue order.
 */
import type { Rule } from './types';

export const ALL_RULES: readonly Rule[] = [];
