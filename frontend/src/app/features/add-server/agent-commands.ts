/** The exact ways to run the agent, shown once together with the new API key. */
export interface AgentCommands {
  fromRepo: string;
  compose: string;
  systemdKeyFile: string;
  systemdUnit: string;
}

export function agentCommands(origin: string, apiKey: string): AgentCommands {
  return {
    fromRepo: `npm run agent -- --url ${origin} --api-key ${apiKey}`,
    compose: [
      'services:',
      '  chatops-agent:',
      '    image: chatops-agent',
      '    restart: unless-stopped',
      '    environment:',
      `      CHATOPS_URL: ${origin}`,
      `      CHATOPS_API_KEY: ${apiKey}`,
      '    volumes:',
      '      - /var/run/docker.sock:/var/run/docker.sock',
      '      - /proc:/host/proc:ro',
      '      - /:/host/root:ro',
      '    command: ["--host-proc", "/host/proc", "--host-root", "/host/root"]',
    ].join('\n'),
    systemdKeyFile: [
      'sudo install -d -m 700 /etc/chatops',
      `printf '%s\\n' '${apiKey}' | sudo tee /etc/chatops/agent.key >/dev/null`,
      'sudo chmod 600 /etc/chatops/agent.key',
    ].join('\n'),
    systemdUnit: [
      '# /etc/systemd/system/chatops-agent.service',
      '[Unit]',
      'Description=ChatOps agent',
      'After=network-online.target',
      'Wants=network-online.target',
      '',
      '[Service]',
      `Environment=CHATOPS_URL=${origin}`,
      'ExecStart=/usr/bin/env chatops-agent --api-key-file /etc/chatops/agent.key',
      'Restart=always',
      'RestartSec=5',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
    ].join('\n'),
  };
}
