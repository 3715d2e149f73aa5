import path from 'node:path';

// The Windows tray host: Windows PowerShell 5.1 (in every Windows 10 and 11) running a
// NotifyIcon from Windows Forms. No addon, nothing downloaded or unpacked: the script travels on
// the command line (-EncodedCommand), the menu on stdin, clicks on stdout (tray-protocol.ts).
//
// The script is constant: no label or VM name is ever part of it. Why each piece:
// - stdin is read with StreamReader.ReadLineAsync on a byte stream of our own (Console.In's
//   ReadLineAsync runs synchronously on .NET Framework and would freeze the menu); the read
//   completes on a thread-pool thread, and a Windows Forms timer on the UI thread picks the
//   finished line up, so all UI work happens on the UI thread without a C# helper (Add-Type
//   would need the C# compiler at run time, which locked-down machines block).
// - An error in an event handler would otherwise open Windows Forms' exception dialog in front of
//   the user; ThrowException ends the host instead, and its stderr reaches the helper's log.
// - End of stdin means the helper is gone: the icon is removed (a NotifyIcon not disposed stays
//   as a ghost until the mouse passes over it) and the host exits.
// - Labels arrive with & already doubled (Windows Forms mnemonics) and the tooltip under the
//   64 characters Windows Forms accepts.
export const WINDOWS_TRAY_SCRIPT = String.raw`# OpenUTM tray host (Windows). Reads menu messages (JSON lines) on stdin, writes clicks to stdout.
$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.Windows.Forms, System.Drawing
# An error in a handler ends the host (the helper logs its stderr) instead of a dialog at the user.
[System.Windows.Forms.Application]::SetUnhandledExceptionMode([System.Windows.Forms.UnhandledExceptionMode]::ThrowException)
$utf8 = New-Object System.Text.UTF8Encoding $false
$script:inReader = [System.IO.StreamReader]::new([Console]::OpenStandardInput(), $utf8)
$script:outWriter = [System.IO.StreamWriter]::new([Console]::OpenStandardOutput(), $utf8)
$script:outWriter.AutoFlush = $true
$script:outWriter.NewLine = [string][char]10
$script:icons = @{}
$script:ready = $false
$script:stopping = $false

function Send-Message($message) {
  $script:outWriter.WriteLine(($message | ConvertTo-Json -Compress))
}

$script:notify = New-Object System.Windows.Forms.NotifyIcon
$script:strip = New-Object System.Windows.Forms.ContextMenuStrip
$script:notify.ContextMenuStrip = $script:strip
$script:notify.add_MouseClick({
  param($source, $e)
  if ($e.Button -eq [System.Windows.Forms.MouseButtons]::Left) { Send-Message @{ type = 'activate' } }
})

function Stop-Host {
  if ($script:stopping) { return }
  $script:stopping = $true
  $script:timer.Stop()
  $script:notify.Visible = $false
  $script:notify.Dispose()
  [System.Windows.Forms.Application]::ExitThread()
}

function Read-Icon([string]$base64) {
  $stream = [System.IO.MemoryStream]::new([Convert]::FromBase64String($base64))
  return [System.Drawing.Icon]::new($stream, [System.Windows.Forms.SystemInformation]::SmallIconSize)
}

function Set-Menu($message) {
  $script:notify.Text = [string]$message.tooltip
  if ($script:icons.ContainsKey([string]$message.status)) { $script:notify.Icon = $script:icons[[string]$message.status] }
  $script:strip.Items.Clear()
  foreach ($entry in $message.items) {
    if ($entry.kind -eq 'separator') {
      [void]$script:strip.Items.Add((New-Object System.Windows.Forms.ToolStripSeparator))
      continue
    }
    $item = New-Object System.Windows.Forms.ToolStripMenuItem
    $item.Text = [string]$entry.label
    $item.Tag = [string]$entry.id
    $item.Enabled = [bool]$entry.enabled
    if ($null -ne $entry.checked) { $item.Checked = [bool]$entry.checked }
    $item.add_Click({
      param($source, $e)
      Send-Message @{ type = 'click'; id = [string]$source.Tag }
    })
    [void]$script:strip.Items.Add($item)
  }
  $script:notify.Visible = $true
}

function Invoke-Line([string]$line) {
  try {
    $message = ConvertFrom-Json $line
    switch ([string]$message.type) {
      'icons' {
        $script:icons['active'] = Read-Icon $message.active
        $script:icons['attention'] = Read-Icon $message.attention
      }
      'menu' {
        Set-Menu $message
        if (-not $script:ready) { $script:ready = $true; Send-Message @{ type = 'ready' } }
      }
      'exit' { Stop-Host }
    }
  } catch {
    Send-Message @{ type = 'error'; message = [string]$_.Exception.Message }
  }
}

$script:pending = $script:inReader.ReadLineAsync()
$script:timer = New-Object System.Windows.Forms.Timer
$script:timer.Interval = 100
$script:timer.add_Tick({
  while (-not $script:stopping -and $script:pending.IsCompleted) {
    if ($script:pending.IsFaulted) { Stop-Host; return }
    $line = $script:pending.Result
    if ($null -eq $line) { Stop-Host; return }
    $script:pending = $script:inReader.ReadLineAsync()
    Invoke-Line $line
  }
})
$script:timer.Start()
[System.Windows.Forms.Application]::Run()
`;

// Windows' documented limit for a whole command line (CreateProcess).
export const WINDOWS_COMMAND_LINE_MAX = 32767;

// powershell.exe by full path (no folder on PATH can stand in for it). -EncodedCommand is
// base64 of UTF-16LE, so the script needs no quoting at all. -InputFormat None keeps
// PowerShell itself from reading stdin, which is the protocol's; -WindowStyle Hidden only
// matters when Node could not hide the window (it spawns with windowsHide).
export function windowsTrayArgv(env: Record<string, string | undefined>): string[] {
  const systemRoot = env.SystemRoot || env.SYSTEMROOT || env.windir || 'C:\\Windows';
  const encoded = Buffer.from(WINDOWS_TRAY_SCRIPT, 'utf16le').toString('base64');
  return [
    path.win32.join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe'),
    '-NoProfile',
    '-NonInteractive',
    '-NoLogo',
    '-InputFormat',
    'None',
    '-WindowStyle',
    'Hidden',
    '-ExecutionPolicy',
    'Bypass',
    '-EncodedCommand',
    encoded,
  ];
}
