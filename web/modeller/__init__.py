"""Process owners: the browser BPMN modeller, drafts, validated deploys, versions, migration, dry runs."""
