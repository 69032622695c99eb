/**
 * The files `orgshare init` writes into a new config repository (docs/getting-started.md):
 * orgs/README.md, orgshare.config.yaml, package.json pinning this version of orgshare,
 * the four workflows using the published action, and Dependabot. Modelines point at the
 * schemas the installed package ships (node_modules/orgshare/schema/).
 *
 * The workflows mirror this repository's own (docs/workflows.md): least privilege, the
 * read-only OAuth token for every read, the write token only in `zendesk-production`,
 * the tool from the base branch on pull requests, apply of the reviewed saved plan only.
 */
import { INSTALLED_SCHEMA_DIR, PACKAGE_NAME } from '../package-info.js';

/** Action pins, verified against each action's own git tags (test/github/workflows.test.ts checks both lists). */
export const ACTION_PINS = {
  checkout: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
  setupNode: 'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v7.0.0',
  uploadArtifact: 'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0',
  downloadArtifact: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1',
} as const;

/** The published action: this repository, at the release tag of this version. */
export const ACTION_REPOSITORY = 'orgshare/orgshare';

export interface InitOptions {
  version: string;
  subdomain?: string;
  /** package.json "name" of the new repository. */
  name: string;
}

export interface ScaffoldFile {
  path: string;
  text: string;
}

const READ_CREDENTIALS = `          zendesk-subdomain: \${{ vars.ZENDESK_SUBDOMAIN }}
          zendesk-oauth-token: \${{ secrets.ZENDESK_OAUTH_TOKEN }}
          zendesk-email: \${{ vars.ZENDESK_READ_EMAIL || vars.ZENDESK_EMAIL }}
          zendesk-api-token: \${{ secrets.ZENDESK_READ_TOKEN }}`;

function setup(checkoutWith = ''): string {
  return `      - name: Check out
        uses: ${ACTION_PINS.checkout}
        with:
${checkoutWith}          persist-credentials: false

      - name: Set up Node.js 24
        uses: ${ACTION_PINS.setupNode}
        with:
          node-version: '24'
          cache: npm

      - name: Install the pinned orgshare
        run: npm ci --ignore-scripts --no-audit --no-fund
`;
}

export function scaffoldFiles(opts: InitOptions): ScaffoldFile[] {
  const action = `${ACTION_REPOSITORY}@v${opts.version}`;
  const CONFIG_PATHS = `      - 'orgs/**'\n      - 'orgshare.config.yaml'`;
  return [
    {
      path: 'orgshare.config.yaml',
      text: `# yaml-language-server: $schema=./${INSTALLED_SCHEMA_DIR}/config.schema.json
# Account policy for orgshare (every key is optional and has a default). Your editor shows
# each option with its description once \`npm install\` has run.

# The Zendesk account: ticket URLs must be on https://<subdomain>.zendesk.com/…
${opts.subdomain ? `subdomain: ${opts.subdomain}` : '# subdomain: acme'}

# Refuse a plan that changes more than this many organizations unless --allow-large.
max_changes: 20

# Client-side request budget per minute; keep it under your Zendesk plan's limit
# (Team 200, Growth/Professional 400, Enterprise 700).
rpm: 200
`,
    },
    {
      path: 'orgs/README.md',
      text: `# orgs/: one file per managed organization

Every \`*.yaml\` file here declares how one Zendesk organization shares its tickets and the
support request that justifies it. A pull request that adds or changes a file is the
review; merging it applies the change (after the \`zendesk-production\` environment's
reviewers approve the plan). Organizations without a file are not touched.

Start from live Zendesk instead of typing: \`npx orgshare import --shared\` writes a file for
every organization that is shared today.

An organization file (the first line gives your editor the schema):

\`\`\`yaml
# yaml-language-server: $schema=../${INSTALLED_SCHEMA_DIR}/organization.schema.json
organization:
  id: 360001234567            # Zendesk organization id
  name: Acme Corp             # must equal the live name (guards against a wrong id)
sharing: read_only            # private | read_only | read_write
request:
  ticket: https://${opts.subdomain ?? 'acme'}.zendesk.com/agent/tickets/4821
  requester: jane@acme.example
  confirmed_type: read_only   # what the requester confirmed; must equal \`sharing\`
  risk_approval:              # required unless sharing is private
    approved_by: jane@acme.example
    comment_id: 90210         # the ticket comment in which they approved the risk
    quote: "we accept the security risk"
\`\`\`

Check your change before pushing:

\`\`\`sh
npx orgshare validate        # schema and offline rules, no network
npx orgshare plan            # against live Zendesk, read-only (needs credentials)
\`\`\`

The file format, every pre-check and the workflows are documented with the orgshare
package (\`node_modules/orgshare/README.md\`).
`,
    },
    {
      path: 'package.json',
      text: `${JSON.stringify(
        {
          name: opts.name,
          private: true,
          description: 'Zendesk organization ticket sharing, reviewed as code (orgshare)',
          scripts: { validate: 'orgshare validate', plan: 'orgshare plan', drift: 'orgshare drift' },
          devDependencies: { [PACKAGE_NAME]: opts.version },
        },
        null,
        2,
      )}\n`,
    },
    { path: '.gitignore', text: 'node_modules/\nplan.json\n' },
    {
      path: '.github/dependabot.yml',
      text: `# Keeps the pinned orgshare (package.json) and the SHA-pinned actions current.
version: 2
updates:
  - package-ecosystem: npm
    directory: /
    schedule:
      interval: weekly

  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: weekly
`,
    },
    {
      path: '.github/workflows/ci.yml',
      text: `# Validate the files on every push and pull request (also from forks): no network, no secrets.
name: ci

on:
  push:
    branches: [main]
  pull_request:

permissions: {}

jobs:
  validate:
    name: validate
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    permissions:
      contents: read
    steps:
${setup()}
      - name: Validate orgs/ and orgshare.config.yaml
        uses: ${action}
        with:
          command: validate
          post: summary
`,
    },
    {
      path: '.github/workflows/plan.yml',
      text: `# Plan on pull requests: the tool from the BASE branch (its package.json and lock), only
# orgs/ and orgshare.config.yaml from the pull request. Posts one sticky comment with the
# plan and its fingerprint. Forks get no secrets: skipped with a notice.
name: plan

on:
  pull_request:
    paths:
${CONFIG_PATHS}

permissions: {}

concurrency:
  group: orgshare-plan-\${{ github.event.pull_request.number }}
  cancel-in-progress: true

jobs:
  fork:
    name: pull request from a fork (skipped)
    if: github.event.pull_request.head.repo.full_name != github.repository
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions: {}
    steps:
      - name: Explain why there is no plan
        run: |
          message="Pull requests from forks get no Zendesk credentials, so orgshare plan does not run here. Push the branch to this repository to get a plan."
          echo "::notice title=orgshare plan skipped::$message"
          printf '### orgshare plan\\n\\n⏭️ %s\\n' "$message" >> "$GITHUB_STEP_SUMMARY"

  plan:
    name: validate and plan
    if: github.event.pull_request.head.repo.full_name == github.repository
    runs-on: ubuntu-24.04
    timeout-minutes: 15
    permissions:
      contents: read
      pull-requests: write
    steps:
${setup('          ref: ${{ github.event.pull_request.base.sha }}\n')}
      - name: Check out the pull request's configuration only
        uses: ${ACTION_PINS.checkout}
        with:
          ref: \${{ github.event.pull_request.head.sha }}
          path: pr-config
          sparse-checkout: |
            orgs
            orgshare.config.yaml
          sparse-checkout-cone-mode: false
          persist-credentials: false

      - name: Validate (annotates the changed files)
        id: validate
        continue-on-error: true
        uses: ${action}
        with:
          command: validate
          dir: pr-config
          annotation-root: pr-config
          post: none

      - name: Plan against live Zendesk (read-only)
        id: plan
        uses: ${action}
        with:
          command: plan
          dir: pr-config
          plan-file: \${{ runner.temp }}/plan.json
${READ_CREDENTIALS}

      - name: Fail when the files are invalid
        if: \${{ !cancelled() && steps.validate.outcome == 'failure' }}
        run: |
          echo "::error title=orgshare validate::the files are invalid. See the annotations and the plan comment."
          exit 1
`,
    },
    {
      path: '.github/workflows/apply.yml',
      text: `# Apply on merge to main: exactly the plan the environment's reviewers approved.
# preview saves \`plan --out\` as an artifact (fingerprint in the job summary); apply, in the
# zendesk-production environment, applies that file only if its fingerprint matches.
name: apply

on:
  push:
    branches: [main]
    paths:
${CONFIG_PATHS}

permissions: {}

concurrency:
  group: orgshare-apply
  cancel-in-progress: false

jobs:
  preview:
    name: plan for the merged commit (read-only)
    runs-on: ubuntu-24.04
    timeout-minutes: 15
    permissions:
      contents: read
    outputs:
      plan-exit-code: \${{ steps.plan.outputs.exit-code }}
      plan-fingerprint: \${{ steps.plan.outputs.plan-fingerprint }}
    steps:
${setup()}
      - name: Plan against live Zendesk (read-only), saved for apply
        id: plan
        uses: ${action}
        with:
          command: plan
          plan-file: \${{ runner.temp }}/orgshare-plan/plan.json
          post: summary
${READ_CREDENTIALS}

      - name: Save the plan for the apply job
        if: steps.plan.outputs.exit-code == '2'
        uses: ${ACTION_PINS.uploadArtifact}
        with:
          name: orgshare-plan
          path: \${{ runner.temp }}/orgshare-plan/plan.json
          if-no-files-found: error
          retention-days: 7

  apply:
    name: apply the reviewed plan to Zendesk
    needs: preview
    if: needs.preview.outputs.plan-exit-code == '2'
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    environment: zendesk-production
    permissions:
      contents: read
    steps:
${setup()}
      - name: Check that main has not moved on since this commit
        id: latest
        env:
          GITHUB_TOKEN: \${{ github.token }}
        run: npx --no-install orgshare-github check-latest --branch main --sha "$GITHUB_SHA" --paths orgs,orgshare.config.yaml

      - name: Download the reviewed plan
        if: steps.latest.outputs.latest == 'true'
        uses: ${ACTION_PINS.downloadArtifact}
        with:
          name: orgshare-plan
          path: \${{ runner.temp }}/orgshare-plan
          digest-mismatch: error

      - name: Apply the reviewed plan
        id: apply
        if: steps.latest.outputs.latest == 'true'
        uses: ${action}
        with:
          command: apply
          plan-file: \${{ runner.temp }}/orgshare-plan/plan.json
          plan-fingerprint: \${{ needs.preview.outputs.plan-fingerprint }}
          post: summary
          zendesk-subdomain: \${{ vars.ZENDESK_SUBDOMAIN }}
          zendesk-email: \${{ vars.ZENDESK_EMAIL }}
          zendesk-api-token: \${{ secrets.ZENDESK_WRITE_TOKEN }}
`,
    },
    {
      path: '.github/workflows/drift.yml',
      text: `# Daily drift detection: opens, updates or closes the issue labelled \`drift\`.
# Its own concurrency group: sharing apply's would let a queued drift replace a pending apply.
name: drift

on:
  schedule:
    - cron: '23 6 * * *'
  workflow_dispatch:

permissions: {}

concurrency:
  group: orgshare-drift
  cancel-in-progress: false

jobs:
  drift:
    name: detect drift
    runs-on: ubuntu-24.04
    timeout-minutes: 15
    permissions:
      contents: read
      issues: write
    steps:
${setup()}
      - name: Compare live Zendesk with orgs/ (read-only) and maintain the drift issue
        uses: ${action}
        with:
          command: drift
${READ_CREDENTIALS}
`,
    },
  ];
}
