# One image for the bot and the GPU workers: `npm start` runs the bot, `npm run worker` a worker.
# On a CUDA host build with --build-arg ORT_INSTALL=cuda12 to fetch onnxruntime-node's CUDA provider.
FROM node:20-bookworm-slim
ARG ORT_INSTALL=skip
WORKDIR /app
COPY package.json package-lock.json ./
RUN if [ "$ORT_INSTALL" != "skip" ]; then npm pkg set allowScripts.onnxruntime-node=true --json; fi \
 && ONNXRUNTIME_NODE_INSTALL=$ORT_INSTALL npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production
EXPOSE 8080 9464
CMD ["npm", "start"]
