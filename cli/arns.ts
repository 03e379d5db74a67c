/** The Region of an ARN (`arn:<partition>:<service>:<region>:…`): where its console page is. */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}
