clgan train-detector --data WORK/scenes-rare-s1 --model det64 --augment --steps 1860 --eval-every 10 --copy-paste --paste-mode balance --paste-classes 3 --seed 1 --out WORK/detrare-copy-s1 --json
