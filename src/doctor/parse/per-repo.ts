// Results computed once per RepoView and shared by every check of a run: a
// parsed file, a model built from many. Callers get the same object and must
// not change it. A result that failed is dropped, so the next caller retries
// (and its own check reports the failure).

import type { RepoView } from '../types.js';

const results = new WeakMap<RepoView, Map<string, Promise<unknown>>>();

export function oncePerRepo<T>(repo: RepoView, key: string, make: () => Promise<T>): Promise<T> {
  let perRepo = results.get(repo);
  if (!perRepo) results.set(repo, (perRepo = new Map()));
  let result = perRepo.get(key) as Promise<T> | undefined;
  if (!result) {
    result = make();
    perRepo.set(key, result);
    result.catch(() => perRepo.delete(key));
  }
  return result;
}
