clgan train-detector --data WORK/scenes200-s2 --model det64 --augment --steps 600 --eval-every 25 --gan-augment WORK/det-cgan-s2/checkpoint.ckpt --seed 2 --out WORK/det200-gan-s2 --json
