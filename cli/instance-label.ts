/**
 * How an instance is named in a table: its Name tag, or its ID when the Name is missing or blank
 * (the rule of the snapshot description, SPEC §2.1), so that no row shows an empty cell.
 */
export function instanceLabel(instanceId: string, name: string | undefined): string {
  return name !== undefined && name.trim() !== '' ? name : instanceId;
}
