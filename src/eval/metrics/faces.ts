/**
 * @module Face metrics (face-api's expression reading of the edited faces against the target,
 * and the identity distance between the original's and the edit's face descriptors). They need
 * the vision runtime (`src/vision/`, in progress elsewhere); until it has landed they are
 * reported as not measured, with this reason, rather than loaded here a second time.
 */
export const FACES_NOT_MEASURED = 'not measured: vision runtime not available (src/vision has not landed)';
