#!/usr/bin/env bash
# Workload identity federation with gcloud only: exchange this GitHub Actions job's OIDC token for short-lived
# credentials of one service account (the bootstrap stack's plan or apply identity). No key is stored anywhere.
# Usage: .ci/gcp-auth.sh PROVIDER SERVICE_ACCOUNT_EMAIL
#   PROVIDER: the bootstrap output workload_identity_provider (projects/N/locations/global/workloadIdentityPools/P/providers/github)
# Needs `permissions: id-token: write` on the job.
set -euo pipefail
provider="$1"
account="$2"
: "${ACTIONS_ID_TOKEN_REQUEST_URL:?the job needs permissions: id-token: write}"
credentials="${RUNNER_TEMP}/gcp-credentials.json"
gcloud iam workload-identity-pools create-cred-config "$provider" \
  --service-account="$account" \
  --credential-source-url="${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=//iam.googleapis.com/${provider}" \
  --credential-source-headers="Authorization=Bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}" \
  --credential-source-type=json \
  --credential-source-field-name=value \
  --output-file="$credentials"
echo "GOOGLE_APPLICATION_CREDENTIALS=$credentials" >> "$GITHUB_ENV"
