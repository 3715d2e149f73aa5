. /root/.bashrc
